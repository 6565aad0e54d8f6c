import { affiliateClicks, productViews, sessionAnalytics } from '@aclue/db/schema';
import { testDrivers } from '@aclue/db/testing';
import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../src';
import { click, createWorld, startedSession, visitorId, type World } from './world';

/**
 * Input as an HTTP body arrives: JSON.parse makes `__proto__`, `constructor` and `prototype` own
 * keys. A copy by Object.assign would turn `__proto__` into the prototype, hiding its fields from
 * the field check while the parse still read them (a converted, backdated click with no audit
 * row). Every write method refuses all three by name, and writes nothing.
 */
const forged =
  '{"isConverted": true, "actualCommission": 99999999.99, "orderId": "X", "userId": "00000000-0000-4000-8000-000000000000", "conversionTimestamp": "2020-01-01T00:00:00Z"}';
const smuggling = (valid: Record<string, unknown>, key: string) => {
  const rest = JSON.stringify(valid).slice(1);
  return JSON.parse(
    `{${JSON.stringify(key)}: ${forged}${rest === '}' ? '' : ','}${rest}`,
  ) as Record<string, unknown>;
};

describe.each(testDrivers({ pooled: true }))('prototype keys in input on %s', (driver) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(driver);
  });
  afterAll(() => w?.test.dispose());

  const rows = async (table: PgTable) => {
    const [row] = await w.db.select({ n: count() }).from(table as typeof affiliateClicks);
    return row?.n ?? 0;
  };

  it('every write method refuses __proto__, constructor and prototype, service included', async () => {
    const user = w.repos.asUser(w.a.userId);
    const visitor = w.repos.asAnon({ anonymousId: visitorId() });
    const service = w.repos.asService();
    const userSession = await startedSession(user);
    const visitorSession = await startedSession(visitor);
    const writes: [string, (input: Record<string, unknown>) => Promise<unknown>, object][] = [
      [
        'user recordClick',
        (i) => user.affiliateClicks.recordClick(i as never),
        click(userSession, { productId: w.a.productId }),
      ],
      [
        'service recordClick',
        (i) => service.affiliateClicks.recordClick(i as never),
        click(userSession, { productId: w.a.productId }),
      ],
      [
        'visitor recordProductViews',
        (i) => visitor.productViews.recordProductViews([i as never]),
        { productId: w.a.productId, sessionId: visitorSession },
      ],
      [
        'service recordProductViews',
        (i) => service.productViews.recordProductViews([i as never]),
        { productId: w.a.productId, sessionId: visitorSession },
      ],
      [
        'visitor startSession',
        (i) => visitor.sessions.startSession(i as never),
        { landingPage: '/' },
      ],
      [
        'user updateMine',
        (i) => user.preferences.updateMine(i as never),
        { likedBrands: ['Acme'] },
      ],
      ['user startSwipeSession', (i) => user.swipes.startSwipeSession(i as never), {}],
      [
        'service recordConversion',
        (i) => service.affiliateClicks.recordConversion(i as never),
        { clickId: '00000000-0000-4000-8000-000000000001', orderId: 'order-1' },
      ],
      [
        'service correctConversion',
        (i) => service.affiliateClicks.correctConversion(i as never),
        {
          clickId: '00000000-0000-4000-8000-000000000001',
          orderId: 'order-1',
          reason: 'test',
          correctedBy: 'ops',
        },
      ],
    ];
    const before = [
      await rows(affiliateClicks),
      await rows(productViews),
      await rows(sessionAnalytics),
    ];
    for (const [name, write, valid] of writes) {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        const error = await write(smuggling(valid as Record<string, unknown>, key)).catch(
          (e: unknown) => e,
        );
        expect(error, `${name} with ${key}`).toBeInstanceOf(ValidationError);
        expect(
          (error as ValidationError).issues.map((issue) => issue.field),
          `${name} with ${key}`,
        ).toContain(key);
      }
    }
    // A primitive `__proto__` (which a copy would silently drop) is refused all the same.
    const primitive = JSON.parse(
      `{"__proto__": 1, ${JSON.stringify(click(userSession, { productId: w.a.productId })).slice(1)}`,
    );
    const dropped = await user.affiliateClicks.recordClick(primitive).catch((e: unknown) => e);
    expect((dropped as ValidationError).issues.map((issue) => issue.field)).toContain('__proto__');
    expect([
      await rows(affiliateClicks),
      await rows(productViews),
      await rows(sessionAnalytics),
    ]).toEqual(before);
  });
});
