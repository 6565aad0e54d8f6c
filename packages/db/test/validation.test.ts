import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constraintMessages, type TableName, validation } from '../src';
import { boundaries, boundaryContext, type Parents, validRow, violations } from '../src/samples';

// Validation never touches the database: any ids will do.
const parents: Parents = {
  userId: randomUUID(),
  categoryId: randomUUID(),
  productId: randomUUID(),
  swipeSessionId: randomUUID(),
  recommendationId: randomUUID(),
  clickId: randomUUID(),
};

describe('zod schemas mirror the database checks', () => {
  it.each(Object.keys(validation) as TableName[])('accepts a minimal valid %s row', (table) => {
    const result = validation[table].insert.safeParse(validRow(table, parents));
    expect(result.error?.issues).toBeUndefined();
  });

  it.each(violations())(
    'rejects what $constraint rejects, saying why',
    ({ table, constraint, change }) => {
      const result = validation[table].insert.safeParse({ ...validRow(table, parents), ...change });
      expect(result.success).toBe(false);
      const messages = result.error?.issues.map((i) => i.message) ?? [];
      const expected = constraintMessages[constraint];
      // Enum issues carry zod's own list of options; every other rule carries the check's message.
      if (!change || !Object.values(change).includes('not-a-valid-value')) {
        expect(messages).toContain(expected);
      }
    },
  );

  it.each(boundaries())('accepts the boundary $change in $table', ({ table, change }) => {
    const [column] = Object.keys(change);
    const row = {
      ...validRow(table, parents),
      ...boundaryContext[`${table}.${column}`],
      ...change,
    };
    expect(validation[table].insert.safeParse(row).error?.issues).toBeUndefined();
  });

  it('has a readable message for every constraint the database can name', () => {
    for (const { constraint } of violations()) expect(constraintMessages[constraint]).toMatch(/\w/);
  });
});
