import { randomUUID } from 'node:crypto';
import { ownerManages, serviceRoleManages, tenantIsolation } from '@aclue/db/policies';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { sql } from 'drizzle-orm';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Executor, queryRows, setLocalIdentity } from '../src';
import { createAuthUser } from '../src/samples';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

/** A table of someone's own, built only from the kit, as a consumer project would. */
const notes = pgTable(
  'kit_tenant_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    body: text('body').notNull(),
  },
  (t) => [
    serviceRoleManages('kit_tenant_notes'),
    ownerManages('kit_tenant_notes', t.userId),
    tenantIsolation('kit_tenant_notes', t.tenantId, 'org_id'),
  ],
).enableRLS();

/** Raised SQLSTATE of `work`, or 'ok'; rolled back either way. */
async function outcome(db: TestDatabase['db'], work: (tx: Executor) => Promise<unknown>) {
  try {
    await db.transaction(async (tx) => {
      await work(tx);
      tx.rollback();
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string }; code?: string }).cause?.code;
    return code ?? (error as { code?: string }).code ?? 'ok';
  }
  return 'ok';
}

describe.each(testDrivers())('the policy kit on %s', (driver) => {
  let test: TestDatabase;
  let user: string;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    user = await createAuthUser(test.db);
    // drizzle-kit's own output for the table, applied as a migration would be.
    const statements = await generateMigration(
      generateDrizzleJson({}, undefined, ['public']),
      generateDrizzleJson({ notes }, undefined, ['public']),
    );
    for (const statement of statements) await test.db.execute(sql.raw(statement));
    await test.db.execute(sql`GRANT SELECT, INSERT ON kit_tenant_notes TO authenticated`);
  });
  afterAll(() => test?.dispose());

  const asMember = (tx: Executor, org: string | undefined, extra: object = {}) =>
    setLocalIdentity(tx, {
      role: 'authenticated',
      userId: user,
      claims: {
        role: 'authenticated',
        sub: user,
        app_metadata: org ? { org_id: org } : {},
        ...extra,
      },
    });

  it('keeps a caller inside the tenant its app_metadata names; a visitor sees none', async () => {
    const insert = (org: string | undefined, tenant: string) =>
      outcome(test.db, async (tx) => {
        await asMember(tx, org);
        await tx.execute(
          sql`INSERT INTO kit_tenant_notes (user_id, tenant_id, body) VALUES (${user}, ${tenant}, 'x')`,
        );
      });
    expect(await insert('acme', 'acme')).toBe('ok');
    expect(await insert('acme', 'globex')).toBe('42501');
    expect(await insert(undefined, 'acme')).toBe('42501');

    await test.db.execute(
      sql`INSERT INTO kit_tenant_notes (user_id, tenant_id, body) VALUES (${user}, 'acme', 'a'), (${user}, 'globex', 'g')`,
    );
    const seen = (org: string | undefined) =>
      test.db.transaction(async (tx) => {
        await asMember(tx, org);
        return (await queryRows<{ body: string }>(tx, sql`SELECT body FROM kit_tenant_notes`)).map(
          (r) => r.body,
        );
      });
    expect(await seen('acme')).toEqual(['a']);
    expect(await seen('globex')).toEqual(['g']);
    expect(await seen(undefined)).toEqual([]);
    await test.db.execute(sql`GRANT SELECT ON kit_tenant_notes TO anon`);
    await test.db.execute(
      sql`CREATE POLICY kit_anyone_reads ON kit_tenant_notes FOR SELECT TO anon USING (true)`,
    );
    const visitorSees = await test.db.transaction(async (tx) => {
      await setLocalIdentity(tx, { role: 'anon', anonymousId: 'visitor-1' });
      return queryRows(tx, sql`SELECT body FROM kit_tenant_notes`);
    });
    expect(visitorSees).toEqual([]);
  });

  it('requires aal2 to change preferences when aclue.require_mfa is on (raw SQL)', async () => {
    const write = (aal: string, requireMfa: string) =>
      outcome(test.db, async (tx) => {
        await tx.execute(sql`SELECT set_config('aclue.require_mfa', ${requireMfa}, true)`);
        await asMember(tx, undefined, { aal });
        await tx.execute(
          sql`INSERT INTO user_preferences (user_id, liked_brands) VALUES (${user}, ARRAY['Acme'])`,
        );
      });
    expect(await write('aal1', 'off')).toBe('ok');
    for (const on of ['on', 'true', 'yes', '1']) expect(await write('aal1', on)).toBe('42501');
    expect(await write('aal2', 'on')).toBe('ok');
    // A value that is not a boolean fails the write (22P02) instead of switching MFA off.
    expect(await write('aal1', 'enabled')).toBe('22P02');
    // A caller cannot lift the requirement by naming another user either: RLS refuses first.
    expect(
      await outcome(test.db, async (tx) => {
        await tx.execute(sql`SET LOCAL aclue.require_mfa = on`);
        await asMember(tx, undefined, { aal: 'aal2' });
        await tx.execute(sql`INSERT INTO user_preferences (user_id) VALUES (${randomUUID()})`);
      }),
    ).toBe('42501');
  });

  it('passes verified claims to auth.jwt(), but role, sub and anonymous_id are the identity’s', async () => {
    const jwt = (identity: Parameters<typeof setLocalIdentity>[1]) =>
      test.db.transaction(async (tx) => {
        await setLocalIdentity(tx, identity);
        const [row] = await queryRows<{ claims: Record<string, unknown>; uid: string | null }>(
          tx,
          sql`SELECT auth.jwt() AS claims, auth.uid()::text AS uid`,
        );
        return row;
      });
    const stray = { sub: user, anonymous_id: 'someone-else', role: 'service_role', aal: 'aal2' };
    const visitor = await jwt({ role: 'anon', anonymousId: 'visitor-1', claims: stray });
    expect(visitor?.claims).toEqual({ role: 'anon', anonymous_id: 'visitor-1', aal: 'aal2' });
    expect(visitor?.uid).toBeNull();
    const member = await jwt({ role: 'authenticated', userId: user, claims: stray });
    expect(member?.claims).toEqual({ role: 'authenticated', sub: user, aal: 'aal2' });
    expect(member?.uid).toBe(user);
  });

  it('refuses a tenant claim that is not a plain identifier', () => {
    expect(() => tenantIsolation('t', notes.tenantId, "x') or true --")).toThrow(/identifier/);
  });
});
