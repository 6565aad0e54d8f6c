import { randomUUID } from 'node:crypto';
import { createDb, postgresErrorOf, queryRows } from '@aclue/db';
import { createTestDatabase, testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attemptAll } from '../src/probes/attempt';
import { rolledBack } from './rolled-back';

describe.each(testDrivers())('probe batches on %s', (driver) => {
  it('undo each probe, report a refusal as its outcome, and keep what is to be kept', async () => {
    const { db, dispose } = await createTestDatabase(driver);
    try {
      await rolledBack(db, async (tx) => {
        const outcomes = await attemptAll(tx, [
          {
            identity: { role: 'owner' },
            query: sql`INSERT INTO categories (name, slug) VALUES ('A', 'a')`,
          },
          {
            identity: { role: 'anon' },
            query: sql`INSERT INTO categories (name, slug) VALUES ('B', 'b')`,
          },
          { identity: { role: 'anon' }, query: sql`SELECT current_user::text AS who` },
          { query: sql`CREATE TEMP TABLE kept_by_probe (x int)`, keep: true },
        ]);
        expect(outcomes[0]).toMatchObject({ ok: true, count: 1 });
        expect(outcomes[1]).toMatchObject({ ok: false, code: '42501' });
        expect(outcomes[2]).toEqual({ ok: true, count: 1, rows: [{ who: 'anon' }] });
        expect(outcomes[3]).toMatchObject({ ok: true });
        const [count] = await queryRows<{ n: number }>(
          tx,
          sql`SELECT count(*)::int AS n FROM categories WHERE slug IN ('a', 'b')`,
        );
        expect(count?.n).toBe(0);
        await tx.execute(sql`SELECT * FROM kept_by_probe`);
        const [me] = await queryRows<{ who: string }>(tx, sql`SELECT current_user::text AS who`);
        expect(me?.who).not.toBe('anon');
      });
    } finally {
      await dispose();
    }
  });
});

describe.runIf(testDrivers().includes('pg'))('probe batches on pg', () => {
  it('fail whole when verification may not take the role it probes as', async () => {
    const { db, url, dispose } = await createTestDatabase('pg');
    // SET ROLE asks whether the session's own login may become the role: a login of its own.
    const login = `aclue_prober_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await db.execute(sql.raw(`CREATE ROLE ${login} LOGIN`));
    const prober = new URL(url ?? '');
    prober.username = login;
    const asProber = await createDb({ url: prober.toString(), poolSize: 1 });
    try {
      await rolledBack(asProber, async (tx) => {
        const error = await attemptAll(tx, [
          { identity: { role: 'anon' }, query: sql`SELECT 1` },
        ]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(postgresErrorOf(error)?.code).toBe('42501');
        expect(postgresErrorOf(error)?.message).toMatch(/permission denied to set role "anon"/);
      });
    } finally {
      await asProber.$close();
      await db.execute(sql.raw(`DROP ROLE IF EXISTS ${login}`));
      await dispose();
    }
  });
});
