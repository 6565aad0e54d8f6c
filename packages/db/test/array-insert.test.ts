import { asc, sql } from 'drizzle-orm';
import {
  boolean,
  inet,
  integer,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayInserts, copyRows, queryRows } from '../src';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

/**
 * `arrayInserts` and `copyRows` against drizzle's own INSERT: whatever the values, the rows read
 * back the same, ids come back in the batch's order, and a column a row leaves out keeps its
 * default.
 */

const probe = pgTable('array_insert_probe', {
  id: serial('id').primaryKey(),
  label: text('label').notNull().default('unlabelled'),
  note: text('note'),
  tags: text('tags').array(),
  doc: jsonb('doc'),
  amount: numeric('amount', { precision: 10, scale: 2 }),
  at: timestamp('at', { withTimezone: true, mode: 'date' }),
  flag: boolean('flag').default(true),
  ip: inet('ip'),
  ref: uuid('ref'),
  count: integer('count'),
});

// Text an array literal must escape: quotes, backslashes, braces, commas, the word NULL, blanks.
const awkward = [
  '',
  ' ',
  '"',
  '\\',
  '\\"',
  '{}',
  '{a,b}',
  'a,b',
  'NULL',
  'null',
  "it's",
  '😀 字\n\t',
];

const row = fc.record(
  {
    label: fc.oneof(fc.constantFrom(...awkward), fc.string({ unit: 'grapheme', maxLength: 12 })),
    note: fc.oneof(fc.constant(null), fc.constantFrom(...awkward), fc.string({ maxLength: 12 })),
    tags: fc.array(fc.oneof(fc.constantFrom(...awkward), fc.string({ maxLength: 6 })), {
      maxLength: 3,
    }),
    doc: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
    amount: fc
      .integer({ min: -99_999_999, max: 99_999_999 })
      .map((cents) => (cents / 100).toFixed(2)),
    at: fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    flag: fc.boolean(),
    ip: fc.constantFrom('192.168.0.1', '10.0.0.0/8', '::1', '2001:db8::/32'),
    ref: fc.uuid(),
    count: fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
  },
  { requiredKeys: [] },
);

describe.each(testDrivers())('arrayInserts on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    await test.db.execute(sql`CREATE TABLE array_insert_probe (
      id serial PRIMARY KEY, label text NOT NULL DEFAULT 'unlabelled', note text, tags text[],
      doc jsonb, amount numeric(10, 2), at timestamptz, flag boolean DEFAULT true, ip inet,
      ref uuid, count integer)`);
  });
  afterAll(() => test?.dispose());

  /**
   * What `write` stored, in a transaction rolled back after: every row read back, and the rows in
   * the order of the ids `write` returned (row i of the batch is the row of the i-th id).
   */
  const writtenBy = async (write: (tx: TestDatabase['db']) => Promise<number[]>) => {
    const undo = new Error('undo');
    let result: { rows: unknown[]; inBatchOrder: unknown[] } = { rows: [], inBatchOrder: [] };
    await test.db
      .transaction(async (tx) => {
        const ids = await write(tx as unknown as TestDatabase['db']);
        const stored = await tx.select().from(probe).orderBy(asc(probe.id));
        const byId = new Map(stored.map(({ id, ...rest }) => [id, rest]));
        result = { rows: [...byId.values()], inBatchOrder: ids.map((id) => byId.get(id)) };
        throw undo;
      })
      .catch((error: unknown) => {
        if (error !== undo) throw error;
      });
    return result;
  };

  it('reads back what drizzle’s INSERT writes, in the batch’s order, defaults kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), async (rows) => {
        const expected = await writtenBy(async (tx) =>
          (await tx.insert(probe).values(rows).returning({ id: probe.id })).map((r) => r.id),
        );
        const actual = await writtenBy(async (tx) => {
          const ids = new Array<number>(rows.length);
          for (const { statement, indices } of arrayInserts(probe, rows, sql`id`)) {
            const written = await queryRows<{ id: number }>(tx, statement);
            written.forEach(({ id }, n) => {
              ids[indices[n] ?? -1] = id;
            });
          }
          return ids;
        });
        expect(actual.rows).toHaveLength(rows.length);
        expect(actual.inBatchOrder).toEqual(expected.inBatchOrder);
      }),
      { numRuns: driver === 'pglite' ? 40 : 80 },
    );
  });

  // Read back as the server's own text of each row, so no reader's parsing takes part: drizzle's
  // jsonb reader parses a stored JSON string again (the string "0" comes back as the number 0),
  // and drizzle's connection and a plain pg client parse timestamps differently.
  const storedColumns = `SELECT (to_jsonb(p) - 'id')::text AS stored FROM array_insert_probe p ORDER BY id`;

  /** What `copyRows` stored, read back in id order, in a transaction rolled back after (pg). */
  const copiedBy = async (rows: Record<string, unknown>[]) => {
    const client = await (test.db.$client as import('pg').Pool).connect();
    try {
      await client.query('BEGIN');
      await copyRows(client, probe, rows);
      const { rows: stored } = await client.query<{ stored: string }>(storedColumns);
      return stored.map((r) => JSON.parse(r.stored) as unknown);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  };

  /** What drizzle's INSERT stored, read back the same way, rolled back after. */
  const insertedBy = async (rows: Record<string, unknown>[]) => {
    const undo = new Error('undo');
    let stored: unknown[] = [];
    await test.db
      .transaction(async (tx) => {
        await tx.insert(probe).values(rows);
        const read = await queryRows<{ stored: string }>(tx, sql.raw(storedColumns));
        stored = read.map((r) => JSON.parse(r.stored) as unknown);
        throw undo;
      })
      .catch((error: unknown) => {
        if (error !== undo) throw error;
      });
    return stored;
  };

  it.runIf(driver === 'pg')('copies the same rows COPY’s text format reads back', async () => {
    // The same rows, whatever order the groups of given columns went in.
    const sorted = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), async (rows) => {
        expect(sorted(await copiedBy(rows))).toEqual(sorted(await insertedBy(rows)));
      }),
      // A JSON string that is itself JSON text: fast-check found drizzle reading it back parsed.
      { numRuns: 60, examples: [[[{ doc: '0' }, {}]]] },
    );
  });

  it('writes rows that give no column at all, each with every default', async () => {
    const batch = [{}, {}, { note: 'x' }, {}];
    const { rows } = await writtenBy(async (tx) => {
      for (const { statement } of arrayInserts(probe, batch)) await tx.execute(statement);
      return [];
    });
    for (const stored of driver === 'pg' ? [rows, await copiedBy(batch)] : [rows]) {
      const withDefaults = stored.filter(
        (r) =>
          (r as { label: string; flag: boolean }).label === 'unlabelled' &&
          (r as { flag: boolean }).flag,
      );
      expect(stored).toHaveLength(4);
      expect(withDefaults).toHaveLength(4);
    }
  });

  it('sends one statement per set of given columns and 10,000 rows, each the same size', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ label: `r${i}`, count: i }));
    const inserts = arrayInserts(probe, [{ note: 'other' }, ...rows]);
    expect(inserts.map((i) => i.indices.length)).toEqual([1, ...Array(10).fill(10_000)]);
    // Places in the batch: the first row alone, then every other row once, in order.
    expect(inserts.flatMap((i) => i.indices)).toEqual(Array.from({ length: 100_001 }, (_, i) => i));
    for (const insert of inserts) expect(insert.statement.queryChunks.length).toBeLessThan(20);
  });
});
