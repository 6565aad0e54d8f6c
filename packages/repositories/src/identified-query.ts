import pg from 'pg';

/** The parts of pg's connection a query writes protocol messages with. */
interface Wire {
  parse(message: { text: string; name?: string }): void;
  bind(message: { values?: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  execute(message: { portal?: string; rows?: number }): void;
}

/** A statement to run first: its text and its parameters (`$1`…). */
export interface Preamble {
  text: string;
  values: unknown[];
}

const prepareValue = (value: unknown) =>
  value === null || value === undefined ? null : String(value);

/**
 * A pg query that sends statements of its own ahead of itself in the same round trip: for each,
 * Parse, Bind and Execute (no Describe, so no row description), then the query's own messages and
 * one Sync — the extended protocol runs them in order and answers once, at the Sync. What those
 * statements answer (their completion tags and rows) is dropped, so the caller sees the query's
 * result alone; an error in any of them fails the query, and the server skips the rest.
 *
 * For a repository call this is `BEGIN` and the identity's `set_config`s, parameters and all, in
 * front of the call's first statement: one round trip instead of two, the values never written
 * into SQL text, and the statement's text and plan (named or not) unchanged. A statement after
 * `BEGIN` in one Sync stays in the transaction `BEGIN` opened, which the call then ends.
 */
export class IdentifiedQuery extends pg.Query {
  /** Completion tags still to drop: one per preamble statement. */
  private preambleLeft: number;

  constructor(
    config: pg.QueryConfig,
    private readonly preamble: readonly Preamble[],
  ) {
    super(config);
    this.preambleLeft = preamble.length;
  }

  /** Always the extended protocol: a simple query cannot carry parameters. */
  requiresPreparation() {
    return true;
  }

  prepare(connection: Wire) {
    for (const { text, values } of this.preamble) {
      connection.parse({ text });
      connection.bind({ values, valueMapper: prepareValue });
      connection.execute({});
    }
    (pg.Query.prototype as unknown as { prepare(c: Wire): void }).prepare.call(this, connection);
  }

  handleDataRow(message: unknown) {
    if (this.preambleLeft > 0) return;
    (pg.Query.prototype as unknown as { handleDataRow(m: unknown): void }).handleDataRow.call(
      this,
      message,
    );
  }

  handleCommandComplete(message: unknown, connection: unknown) {
    if (this.preambleLeft > 0) {
      this.preambleLeft -= 1;
      return;
    }
    (
      pg.Query.prototype as unknown as { handleCommandComplete(m: unknown, c: unknown): void }
    ).handleCommandComplete.call(this, message, connection);
  }
}

/** Runs `config` on `client` after `preamble`, in one round trip; resolves to the query's result. */
export function queryAfter(
  client: pg.ClientBase,
  preamble: readonly Preamble[],
  config: pg.QueryConfig,
): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new IdentifiedQuery(
      {
        ...config,
        callback: (error: Error | undefined, result: pg.QueryResult) =>
          error ? reject(error) : resolve(result),
      } as pg.QueryConfig,
      preamble,
    );
    client.query(query as unknown as pg.QueryConfig);
  });
}
