import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresErrorOf } from '../src';
import { productViews } from '../src/schema';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

describe.each(testDrivers())('postgresErrorOf on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
  });
  afterAll(() => test?.dispose());

  it("finds the server's error under drizzle's wrapper, without the SQL or its parameters", async () => {
    const secret = `visitor-${randomUUID()}`;
    const failure = await test.db
      .insert(productViews)
      .values({ productId: randomUUID(), sessionId: secret, viewSource: 'search' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    // drizzle's own message carries the statement and the values: never show it.
    expect((failure as Error).message).toContain(secret);
    const cause = postgresErrorOf(failure);
    expect(cause).toMatchObject({
      code: '23503',
      table: 'product_views',
      constraint: 'product_views_product_id_products_id_fk',
    });
    expect(JSON.stringify(cause)).not.toContain(secret);
    // The DETAIL quotes the row ("Key (product_id)=(…)"): left out.
    expect(cause).not.toHaveProperty('detail');
    expect(JSON.stringify(cause)).not.toMatch(/insert into/i);
  });

  it('answers undefined for failures that are not the server’s', () => {
    expect(postgresErrorOf(new Error('socket hang up'))).toBeUndefined();
    expect(postgresErrorOf({ code: 'ECONNREFUSED' })).toBeUndefined();
    expect(postgresErrorOf(undefined)).toBeUndefined();
  });
});
