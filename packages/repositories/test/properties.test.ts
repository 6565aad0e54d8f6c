import { violations } from '@aclue/db/samples';
import { interactionTypes, productViews, viewSources } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { count, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../src';
import { createWorld, startedSession, visitorId, type World } from './world';

const viewArbitrary = (productId: string, sessionId: string) =>
  fc.record(
    {
      productId: fc.constant(productId),
      sessionId: fc.constant(sessionId),
      viewSource: fc.constantFrom(...viewSources),
      viewPosition: fc.integer({ min: 1, max: 500 }),
      viewDurationSeconds: fc.integer({ min: 0, max: 3_600 }),
      interactionType: fc.constantFrom(...interactionTypes),
      searchQuery: fc.string({ maxLength: 40, unit: 'grapheme' }),
      filterCriteria: fc.dictionary(
        fc.constantFrom('colour', 'size', 'brand'),
        fc.string({ maxLength: 8 }),
      ),
      // Scores and view times are the platform's: a caller may not give them.
    },
    { requiredKeys: ['productId', 'sessionId'] },
  );

/** One change per product_views rule, as the samples derive them from the schema. */
const breakers = [
  ...violations()
    .filter((v) => v.table === 'productViews')
    .map((v) => v.change),
  // Text PostgreSQL cannot store: a NUL character, an unpaired surrogate.
  { searchQuery: 'gift\u0000idea' },
  { sessionId: 'session-\ud800' },
  { filterCriteria: { colour: 'red\ud800' } },
  { filterCriteria: [] },
];

describe.each(testDrivers({ pooled: true }))('validation properties on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  it('accepts any valid batch of views and reads every field back unchanged', async () => {
    const user = w.repos.asUser(w.a.userId);
    const sessionId = await startedSession(user);
    await fc.assert(
      fc.asyncProperty(
        fc.array(viewArbitrary(w.a.productId, sessionId), { minLength: 1, maxLength: 5 }),
        async (views) => {
          const { ids } = await user.productViews.recordProductViews(views);
          const stored = await w.db
            .select()
            .from(productViews)
            .where(eq(productViews.sessionId, views[0]?.sessionId ?? ''));
          for (const [i, view] of views.entries()) {
            const row = stored.find((r) => r.id === ids[i]);
            expect(row).toMatchObject({ ...view, userId: w.a.userId });
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('rejects a batch with any one broken row before writing, naming the row and the rule', async () => {
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const sessionId = await startedSession(visitor);
    await fc.assert(
      fc.asyncProperty(
        fc.array(viewArbitrary(w.a.productId, sessionId), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom(...breakers),
        async (views, at, breaker) => {
          const row = at % views.length;
          const batch = views.map((v, i) => (i === row ? { ...v, ...breaker } : v));
          const error = await visitor.productViews
            .recordProductViews(batch as never)
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          const issue = (error as ValidationError).issues[0];
          expect(issue?.row).toBe(row);
          expect(Object.keys(breaker)).toContain(issue?.field);
          const [written] = await w.db
            .select({ n: count() })
            .from(productViews)
            .where(eq(productViews.sessionId, views[0]?.sessionId ?? ''));
          expect(written?.n).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });
});
