import { randomBytes, randomUUID } from 'node:crypto';
import { createDb, type Database } from '@aclue/db';
import { createParents, type Parents } from '@aclue/db/samples';
import { createTestDatabase, type TestDatabase, type TestDriver } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { type AuthOptions, createRepositories, type ScopedRepositories } from '../src';

/** Verification settings of the tests' repositories: a legacy HS256 secret, and anonymous ids. */
export const testAuth = {
  issuer: 'https://test-project.supabase.co/auth/v1',
  jwtSecret: randomBytes(32).toString('hex'),
  anonymousIdSecret: randomBytes(32).toString('hex'),
} satisfies AuthOptions;

/** A migrated database with two users (A and B), each with a product and a recommendation. */
export interface World {
  test: TestDatabase;
  db: Database;
  repos: ReturnType<typeof createRepositories>;
  a: Parents;
  b: Parents;
}

export async function createWorld(driver: TestDriver): Promise<World> {
  const test = await createTestDatabase(driver);
  return {
    test,
    db: test.db,
    repos: createRepositories(test.db, { auth: testAuth }),
    a: await createParents(test.db),
    b: await createParents(test.db),
  };
}

/**
 * What a visitor's browser says about a click. Where it goes and what it earns are not among it:
 * the database takes them from the product (`productId`, which every click therefore names).
 */
export const click = (
  sessionId: string,
  extra: { productId: string } & Record<string, unknown>,
) => ({
  sessionId,
  sourcePage: '/gifts/for-dad',
  deviceType: 'mobile' as const,
  ...extra,
});

export const uniqueSession = () => `sess-${randomUUID()}`;

/** A fresh anonymous visitor id (long enough to be accepted, unique per call). */
export const visitorId = () => `anon-${randomUUID()}`;

/** Starts a browser session as `caller` and returns the session id the database generated. */
export async function startedSession(
  caller: Pick<ScopedRepositories, 'sessions'>,
  landingPage = '/',
): Promise<string> {
  return (await caller.sessions.startSession({ landingPage })).sessionId;
}

/**
 * The world's database with multi-factor authentication required (`aclue.require_mfa = on`), as
 * an operator turns it on: for the database on the server (new connections see it), and for the
 * embedded database's one connection. `restore()` turns it off again.
 */
export async function withMfaRequired(
  w: World,
): Promise<{ db: Database; restore(): Promise<void> }> {
  if (!w.test.url) {
    await w.db.execute(sql`SET aclue.require_mfa = on`);
    return { db: w.db, restore: () => w.db.execute(sql`RESET aclue.require_mfa`).then() };
  }
  const name = new URL(w.test.url).pathname.slice(1);
  await w.db.execute(sql.raw(`ALTER DATABASE ${name} SET aclue.require_mfa = on`));
  const db = await createDb({ url: w.test.url, poolSize: 2 });
  return {
    db,
    restore: async () => {
      await db.$close();
      await w.db.execute(sql.raw(`ALTER DATABASE ${name} RESET aclue.require_mfa`));
    },
  };
}
