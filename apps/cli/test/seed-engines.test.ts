import { createHash } from 'node:crypto';
import { queryRows } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target } from './run-cli';

const seeded = [
  'products',
  'swipe_sessions',
  'swipe_interactions',
  'recommendations',
  'recommendation_feedback',
  'session_analytics',
  'product_views',
  'affiliate_clicks',
];

/**
 * A table's content, hashed: every column but the clock's (times are generated back from now, so
 * two runs a second apart differ there) and the ids the database makes (the categories' come from
 * the migration).
 */
async function fingerprint(target: Target, table: string): Promise<string> {
  const db = await target.open();
  try {
    const rows = await queryRows<{ row: Record<string, unknown> }>(
      db,
      sql`SELECT to_jsonb(t) AS row FROM ${sql.identifier(table)} t`,
    );
    const stable = rows
      .map(({ row }) =>
        JSON.stringify(
          Object.entries(row)
            .filter(([key]) => !/(_at|_timestamp|^id|category_id)$/.test(key))
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
      )
      .sort();
    return createHash('sha256').update(stable.join('\n')).digest('hex');
  } finally {
    await db.$close();
  }
}

describe.runIf(testDrivers().length === 2)('aclue-db seed on both engines', () => {
  it('writes the same data through COPY on the server as through INSERTs embedded', async () => {
    const targets = [await freshTarget('pglite'), await freshTarget('pg')];
    try {
      const counts = [];
      for (const target of targets) {
        expect((await runCli(['migrate'], target.env)).code).toBe(0);
        const run = await runCli(
          ['seed', '--users', '12', '--days', '7', '--seed', '11', '--json'],
          target.env,
        );
        expect(run.code, run.stderr).toBe(0);
        counts.push(JSON.parse(run.stdout).rows);
      }
      expect(counts[0]).toEqual(counts[1]);
      for (const table of seeded) {
        const [embedded, server] = [
          await fingerprint(targets[0] as Target, table),
          await fingerprint(targets[1] as Target, table),
        ];
        expect(server, table).toBe(embedded);
      }
    } finally {
      await Promise.all(targets.map((t) => t.dispose()));
    }
  });
});
