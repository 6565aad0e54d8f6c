import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The baseline: the same work through a bare `pg` client, no ORM, no validation. */
export class RawClient {
  private constructor(readonly client: pg.Client) {}

  static async connect(url: string): Promise<RawClient> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new RawClient(client);
  }

  /** One transaction as `role` (with the user's claims), exactly what the repositories send. */
  async as<Row extends pg.QueryResultRow>(
    role: 'authenticated' | 'service_role',
    userId: string | null,
    text: string,
    values: unknown[] = [],
  ): Promise<Row[]> {
    const claims = JSON.stringify(userId ? { sub: userId, role } : { role });
    await this.client.query('BEGIN');
    try {
      await this.client.query(
        `SELECT set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true),
                set_config('request.jwt.claim.role', $3, true), set_config('role', $3, true)`,
        [claims, userId ?? '', role],
      );
      const { rows } = await this.client.query<Row>(text, values);
      await this.client.query('COMMIT');
      return rows;
    } catch (error) {
      await this.client.query('ROLLBACK');
      throw error;
    }
  }

  /**
   * The floor for a scoped read: BEGIN, the same identity, `text` and COMMIT as one simple-query
   * message, values written into the text — one round trip with nothing prepared or pipelined, the
   * least any client can send to run a statement as someone (not how to write an application: the
   * values sit in the statement text).
   */
  async asInOneMessage(role: 'authenticated', userId: string, text: string) {
    const claims = JSON.stringify({ sub: userId, role });
    const results = (await this.client.query(
      `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
       SELECT set_config('request.jwt.claims', ${literal(claims)}, true), set_config('request.jwt.claim.sub', ${literal(userId)}, true),
              set_config('request.jwt.claim.role', ${literal(role)}, true), set_config('role', ${literal(role)}, true);
       ${text}; COMMIT`,
    )) as unknown as pg.QueryResult[];
    return results[2]?.rows ?? [];
  }

  /** Multi-row INSERTs of `rows` (column → value), 1,000 rows a statement, as the service role. */
  async insertRows(table: string, rows: Record<string, unknown>[]) {
    const columns = Object.keys(rows[0] ?? {});
    await this.client.query('BEGIN');
    await this.client.query('SET LOCAL ROLE service_role');
    for (let i = 0; i < rows.length; i += 1_000) {
      const part = rows.slice(i, i + 1_000);
      const values = part.flatMap((row) => columns.map((c) => row[c]));
      const tuples = part.map(
        (_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
      );
      await this.client.query(
        `INSERT INTO public.${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`,
        values,
      );
    }
    await this.client.query('COMMIT');
  }

  /** COPY of `rows` as CSV, as the service role: the fastest way in. */
  async copyRows(table: string, rows: Record<string, unknown>[]) {
    const columns = Object.keys(rows[0] ?? {});
    await this.client.query('BEGIN');
    await this.client.query('SET LOCAL ROLE service_role');
    const stream = this.client.query(
      copyFrom(`COPY public.${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`),
    );
    const lines = rows.map((row) => `${columns.map((c) => csv(row[c])).join(',')}\n`);
    await pipeline(Readable.from(lines), stream);
    await this.client.query('COMMIT');
  }

  end() {
    return this.client.end();
  }
}

function csv(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}
