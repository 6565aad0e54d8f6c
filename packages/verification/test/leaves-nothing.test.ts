import { type Database, queryRows } from '@aclue/db';
import { createTestDatabase, testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verify } from '../src';

type Db = Database;

/** Every table's row count and every catalog object outside the system schemas. */
async function snapshot(db: Db): Promise<string[]> {
  const objects = await queryRows<{ what: string; kind: string; schema: string; name: string }>(
    db,
    sql`SELECT 'object ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text AS what,
          c.relkind::text AS kind, n.nspname AS schema, c.relname AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
      UNION ALL SELECT 'policy ' || polname, '', '', '' FROM pg_policy
      UNION ALL SELECT 'trigger ' || tgname, '', '', '' FROM pg_trigger
      UNION ALL SELECT 'role ' || rolname || ' ' || rolbypassrls::text, '', '', '' FROM pg_roles
      ORDER BY 1`,
  );
  const counts: string[] = [];
  for (const o of objects.filter((o) => o.kind === 'r' && o.schema !== 'extensions')) {
    const [row] = await queryRows<{ n: string }>(
      db,
      sql`SELECT count(*) AS n FROM ${sql.identifier(o.schema)}.${sql.identifier(o.name)}`,
    );
    counts.push(`rows ${o.schema}.${o.name} ${row?.n}`);
  }
  return [...objects.map((o) => o.what), ...counts];
}

describe.each(testDrivers())('verify on %s', (driver) => {
  it('passes on a fresh database and leaves no rows and no objects behind', async () => {
    const { db, dispose } = await createTestDatabase(driver);
    try {
      await db.execute(sql`INSERT INTO categories (name, slug) VALUES ('Kept', 'kept')`);
      const before = await snapshot(db);
      const report = await verify(db);
      expect(report.results.filter((r) => !r.ok)).toEqual([]);
      expect(report.results.some((r) => r.category === 'probes')).toBe(true);
      expect(await snapshot(db)).toEqual(before);
    } finally {
      await dispose();
    }
  });
});
