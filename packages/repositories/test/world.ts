import { randomUUID } from 'node:crypto';
import { createParents, type Database, type Parents } from '@aclue/db';
import { createTestDatabase, type TestDatabase, type TestDriver } from '@aclue/db/testing';
import { createRepositories, type ScopedRepositories } from '../src';

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
    repos: createRepositories(test.db),
    a: await createParents(test.db),
    b: await createParents(test.db),
  };
}

export const click = (sessionId: string, extra: Record<string, unknown> = {}) => ({
  sessionId,
  sourcePage: '/gifts/for-dad',
  affiliateNetwork: 'amazon',
  affiliateUrl: 'https://example.test/p/1',
  deviceType: 'mobile' as const,
  commissionRate: 0.05,
  expectedCommission: 2.5,
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
