import { createTestDatabase, type TestDatabase, testDrivers } from '@aclue/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAfter } from '../src/identified-query';

/**
 * The contract the repositories' one-round-trip calls rest on (`identified-query.ts`): a query
 * that sends statements of its own ahead of itself, through pg's Query. If a pg upgrade changes
 * how a Query writes its messages or handles rows, these fail here, by name, before any
 * repository test does.
 */
describe.runIf(testDrivers().includes('pg'))('pg pipelining (queryAfter) on pg', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase('pg');
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.dispose();
  });

  const begin = { text: 'BEGIN', values: [] };
  const setting = {
    text: `SELECT set_config('aclue.contract', $1, true)`,
    values: ['set by the preamble'],
  };

  it('pg.Query still has the methods the pipelined query builds on', () => {
    const query = pg.Query.prototype as unknown as Record<string, unknown>;
    for (const method of ['prepare', 'handleDataRow', 'handleCommandComplete']) {
      expect(typeof query[method], `pg.Query.prototype.${method}`).toBe('function');
    }
  });

  it("answers with the query's own rows only, inside the preamble's transaction", async () => {
    const client = await pool.connect();
    try {
      const result = await queryAfter(client, [begin, setting], {
        text: `SELECT current_setting('aclue.contract') AS value, $1::int AS n`,
        values: [7],
      });
      expect(result.rows).toEqual([{ value: 'set by the preamble', n: 7 }]);
      expect(result.command).toBe('SELECT');
      const inside = await client.query(`SELECT current_setting('aclue.contract', true) AS value`);
      expect(inside.rows[0].value).toBe('set by the preamble');
      await client.query('ROLLBACK');
      const after = await client.query(`SELECT current_setting('aclue.contract', true) AS value`);
      expect(after.rows[0].value ?? '').toBe('');
    } finally {
      client.release();
    }
  });

  it('keeps array rows and named statements working on the same connection', async () => {
    const client = await pool.connect();
    try {
      const named = { name: 'aclue_contract', text: 'SELECT $1::text AS x, 2 AS y' };
      const first = await queryAfter(client, [begin], {
        ...named,
        values: ['a'],
        rowMode: 'array',
      } as pg.QueryConfig);
      expect(first.rows).toEqual([['a', 2]]);
      // pg knows the name is parsed on this connection: the next use sends no Parse.
      const second = await client.query({ ...named, values: ['b'] });
      expect(second.rows).toEqual([{ x: 'b', y: 2 }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });

  it("fails with a preamble statement's error, running nothing after it", async () => {
    const client = await pool.connect();
    try {
      const failing = queryAfter(client, [begin, { text: 'SELECT 1 / $1::int', values: [0] }], {
        text: `SELECT set_config('aclue.contract', 'reached', true)`,
        values: [],
      });
      await expect(failing).rejects.toMatchObject({ code: '22012' });
      await client.query('ROLLBACK');
      // The connection is usable, and the query after the error never ran.
      const { rows } = await client.query(
        `SELECT current_setting('aclue.contract', true) AS value`,
      );
      expect(rows[0].value ?? '').toBe('');
    } finally {
      client.release();
    }
  });
});
