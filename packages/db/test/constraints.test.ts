import { getTableColumns, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresErrorOf, queryRows, schemaTables, type TableName } from '../src';
import {
  boundaries,
  boundaryContext,
  createParents,
  type Parents,
  rowRuleViolations,
  tableOf,
  validRow,
  violations,
} from '../src/samples';
import { userPreferences } from '../src/schema';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

const constraintOf = (error: unknown): string | undefined => postgresErrorOf(error)?.constraint;

describe.each(testDrivers())('constraints on %s', (driver) => {
  let test: TestDatabase;
  let parents: Parents;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    parents = await createParents(test.db);
  });
  afterAll(() => test?.dispose());

  it('has a violation fixture for every CHECK constraint in the schema', () => {
    const declared = Object.values(schemaTables).flatMap(({ table }) =>
      getTableConfig(table).checks.map((c) => c.name),
    );
    expect(new Set(violations().map((v) => v.constraint))).toEqual(new Set(declared));
    for (const name of Object.keys(rowRuleViolations)) expect(declared).toContain(name);
  });

  it('declares a CHECK for every text column with an enum, with the same values', () => {
    for (const { table, rules } of Object.values(schemaTables)) {
      const declared: Record<string, readonly string[]> = rules.enums ?? {};
      for (const [key, column] of Object.entries(getTableColumns(table))) {
        if (column.enumValues) expect(declared[key]).toEqual(column.enumValues);
      }
    }
  });

  it('accepts a minimal valid row in every table', async () => {
    for (const name of Object.keys(schemaTables) as TableName[]) {
      const row = validRow(name, parents);
      if (name === 'userPreferences') continue; // one row per user: inserted below
      await test.db.insert(tableOf(name)).values(row as never);
    }
  });

  it.each(violations())(
    '$constraint rejects a violating $table row',
    async ({ table, constraint, change }) => {
      const row = { ...validRow(table, parents), ...change };
      const error = await test.db
        .insert(tableOf(table))
        .values(row as never)
        .catch((e: unknown) => e);
      expect(constraintOf(error)).toBe(constraint);
    },
  );

  it.each(boundaries())('accepts the boundary $change in $table', async ({ table, change }) => {
    const [column] = Object.keys(change);
    const context = boundaryContext[`${table}.${column}`];
    const row = { ...validRow(table, parents), ...context, ...change };
    if (table === 'userPreferences') {
      const { userId } = await createParents(test.db);
      row.userId = userId;
    }
    await test.db.insert(tableOf(table)).values(row as never);
  });

  it('computes total_swipes and engagement_rate (super likes count as swipes and engagement)', async () => {
    const { userId } = await createParents(test.db);
    await test.db
      .insert(userPreferences)
      .values({ userId, rightSwipes: 1, leftSwipes: 1, superLikes: 1 });
    const [row] = await queryRows<{ total_swipes: number; engagement_rate: string }>(
      test.db,
      sql`SELECT total_swipes, engagement_rate::text FROM user_preferences WHERE user_id = ${userId}`,
    );
    expect(row).toEqual({ total_swipes: 3, engagement_rate: '0.6667' });
  });

  it('gives engagement_rate 0 with no swipes and refuses writes to generated columns', async () => {
    const { userId } = await createParents(test.db);
    await test.db.insert(userPreferences).values({ userId });
    const [row] = await queryRows<{ total_swipes: number; engagement_rate: string }>(
      test.db,
      sql`SELECT total_swipes, engagement_rate::text FROM user_preferences WHERE user_id = ${userId}`,
    );
    expect(row).toEqual({ total_swipes: 0, engagement_rate: '0.0000' });
    const error = await test.db
      .execute(sql`UPDATE user_preferences SET total_swipes = 9 WHERE user_id = ${userId}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });

  it('moves updated_at forward on update (trigger)', async () => {
    const { userId } = await createParents(test.db);
    const past = new Date('2020-01-01T00:00:00Z');
    await test.db.insert(userPreferences).values({ userId, updatedAt: past, createdAt: past });
    await test.db.execute(
      sql`UPDATE user_preferences SET right_swipes = 2 WHERE user_id = ${userId}`,
    );
    const [row] = await queryRows<{ moved: boolean; created_kept: boolean }>(
      test.db,
      sql`SELECT updated_at > '2020-01-02' AS moved, created_at = '2020-01-01T00:00:00Z' AS created_kept
          FROM user_preferences WHERE user_id = ${userId}`,
    );
    expect(row).toEqual({ moved: true, created_kept: true });
  });
});
