import { getTableColumns } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaTables, type TableName, validation } from '../src';
import { createParents, type Parents, tableOf, validRow } from '../src/samples';
import { bounds } from '../src/schema';
import { columnBound } from '../src/schema/rules';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

/**
 * Properties of the bounds: for values around each limit — any Unicode, astral characters
 * included — zod and the database's CHECK agree on what is accepted. A repository that let
 * through what the database refuses would surface a driver error; one that refused what the
 * database accepts would lose valid data.
 */

const bounded = (kind: string) =>
  (Object.keys(schemaTables) as TableName[]).flatMap((name) => {
    const { table, rules } = schemaTables[name];
    return Object.entries(getTableColumns(table)).flatMap(([key, column]) => {
      const bound = column.generated ? undefined : columnBound(key, column, rules);
      return bound?.kind === kind && name !== 'userPreferences' ? [{ name, key, bound }] : [];
    });
  });

// Printable characters from every plane, astral ones count once in char_length.
const character = fc.oneof(
  fc.constantFrom('a', 'é', '字', '😀', '𝄞'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

describe.each(testDrivers())('bounds on %s', (driver) => {
  let test: TestDatabase;
  let parents: Parents;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    parents = await createParents(test.db);
  });
  afterAll(() => test?.dispose());

  /** Whether the database stores the row (in a savepoint rolled back either way). */
  const databaseAccepts = async (name: TableName, row: Record<string, unknown>) => {
    const undo = new Error('undo');
    let accepted = false;
    await test.db
      .transaction(async (tx) => {
        await tx.insert(tableOf(name)).values(row as never);
        accepted = true;
        throw undo;
      })
      .catch((error: unknown) => {
        if (error !== undo) accepted = false;
      });
    return accepted;
  };

  /** A valid row with `change`: zod accepts it exactly when the database does. */
  const expectAgreement = async (
    name: TableName,
    change: Record<string, unknown>,
    label: Record<string, unknown>,
  ) => {
    const row = { ...validRow(name, parents), ...change };
    const zod = validation[name].insert.safeParse(row).success;
    expect({ ...label, zod }).toEqual({ ...label, zod: await databaseAccepts(name, row) });
  };

  it('text lengths: zod and the CHECK agree around every limit', async () => {
    const columns = bounded('length');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...columns),
        fc.integer({ min: -2, max: 2 }),
        character,
        async ({ name, key, bound }, delta, char) => {
          const value = char.repeat(Math.max(0, bound.limit + delta));
          await expectAgreement(name, { [key]: value }, { key, delta });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('JSON objects: zod and the CHECK agree on depth and size', async () => {
    const columns = bounded('shape');
    const nested = (levels: number, leaf: unknown) => {
      let value: unknown = leaf;
      for (let i = 0; i < levels; i++) value = { k: value };
      return value;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...columns),
        fc.integer({ min: bounds.jsonDepth - 2, max: bounds.jsonDepth + 2 }),
        fc.oneof(fc.constant(1), fc.constant([1, 2]), fc.constant({})),
        fc.integer({ min: 0, max: 3 }),
        async ({ name, key, bound }, levels, leaf, sizeStep) => {
          const size = bound.limit - 64 + sizeStep * 32;
          const value =
            sizeStep === 0 ? nested(levels, leaf) : { pad: 'x'.repeat(Math.max(0, size - 12)) };
          await expectAgreement(name, { [key]: value }, { key, levels, sizeStep });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('arrays: zod and the CHECK agree on the number of items', async () => {
    const columns = bounded('items');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...columns),
        fc.integer({ min: -1, max: 1 }),
        async ({ name, key, bound }, delta) => {
          const item = bound.itemText ? 'tag' : 0.5;
          const value = Array.from({ length: bound.limit + delta }, () => item);
          await expectAgreement(name, { [key]: value }, { key, delta });
        },
      ),
      { numRuns: 30 },
    );
  });
});
