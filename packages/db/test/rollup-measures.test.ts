import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { clickRollups, rollupColumns, withMeasures } from '../src';

describe('withMeasures', () => {
  const product = clickRollups.product;

  it('reads the same table and keys, and only the measures named', () => {
    const narrowed = withMeasures(product, ['conversions']);
    expect(narrowed.name).toBe(product.name);
    expect(narrowed.keys).toEqual(product.keys);
    expect(narrowed.measures.map((m) => m.name)).toEqual(['conversions']);
    expect(new PgDialect().sqlToQuery(rollupColumns(narrowed)).sql).toBe(
      '"day", "key", "conversions"',
    );
    // The declaration itself is left whole.
    expect(product.measures.length).toBeGreaterThan(1);
  });

  it('names a measure the rollup does not have', () => {
    expect(() => withMeasures(product, ['conversions', 'revenue'])).toThrow(
      /affiliate_clicks_by_product_daily has no measure revenue/,
    );
  });
});
