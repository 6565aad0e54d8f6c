import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows, rollbackTableNames } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAndDrop } from '../src/commands/rollback';
import {
  copyOfMigrations,
  freshTarget,
  keepFirstMigrations,
  runCli,
  type Target,
  tempDir,
} from './run-cli';

describe.each(testDrivers())('aclue-db rollback on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('refuses without --yes, and on a database not at the expected migration', async () => {
    const unconfirmed = await runCli(['rollback', '--export-dir', tempDir()], target.env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/rerun with --yes/);
    // Migration 0000 alone: the deployment tables do not exist yet, so this is no rollback.
    const folder = copyOfMigrations();
    keepFirstMigrations(folder, 2);
    expect((await runCli(['migrate', '--migrations-dir', folder], target.env)).code).toBe(0);
    const unmigrated = await runCli(['rollback', '--yes', '--export-dir', tempDir()], target.env);
    expect(unmigrated.code).toBe(2);
    expect(unmigrated.stderr).toMatch(
      /refusing: the database is not at the expected migration \(0002_database_objects pending/,
    );
  });

  it('exports and drops; push and restore bring every row back, verified, whatever their months', async () => {
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
    expect((await runCli(['seed', '--users', '10', '--days', '7'], target.env)).code).toBe(0);
    await spreadOverMonths(target);
    const before = await fingerprints(target);
    // An earlier export is never written over: a folder with anything in it is refused.
    const used = tempDir();
    writeFileSync(join(used, 'manifest.json'), '{}');
    const overwrite = await runCli(['rollback', '--yes', '--export-dir', used], target.env);
    expect(overwrite.code).toBe(2);
    expect(overwrite.stderr).toMatch(/is not empty .*Nothing was exported or dropped/);
    expect(await fingerprints(target)).toEqual(before);
    const dir = tempDir();
    const run = await runCli(['rollback', '--yes', '--export-dir', dir, '--json'], target.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    // The five, and the audit trail whose foreign key points into them.
    expect(report.dropped).toEqual(rollbackTableNames);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.tables).toEqual(report.exported);
    for (const table of report.dropped) {
      expect(exportedRows(dir, table)).toHaveLength(report.exported[table]);
    }
    expect(report.exported.product_views).toBeGreaterThan(0);

    const second = await runCli(['rollback', '--yes', '--export-dir', tempDir()], target.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already rolled back/);
    // A rolled-back database is no "0 problems": status and verify name the way back.
    const status = await runCli(['status'], target.env);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/✘ rolled back: .*aclue-db push.*aclue-db restore/);
    const verify = await runCli(['verify'], target.env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/table affiliate_clicks: missing/);
    expect(verify.stdout).toMatch(/rolled back \(aclue-db rollback\): run `aclue-db push`/);
    expect(verify.stdout).not.toMatch(/current transaction is aborted/);

    const early = await runCli(['restore', '--from', dir], target.env);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(
      /^aclue-db: the tables affiliate_clicks, .* do not exist: run `aclue-db push` first/,
    );

    expect((await runCli(['push'], target.env)).code).toBe(0);
    const restore = await runCli(['restore', '--from', dir, '--json'], target.env);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout).restored).toEqual(report.exported);
    expect(await fingerprints(target)).toEqual(before);
    const after = await runCli(['verify'], target.env);
    expect(after.stdout).toMatch(/0 failed/);
    expect(after.code).toBe(0);
    expect((await runCli(['drift'], target.env)).code).toBe(0);
    expect((await runCli(['status'], target.env)).code).toBe(0);
    const rollups = JSON.parse((await runCli(['rollups', '--json'], target.env)).stdout);
    for (const source of rollups.rollups) expect(source.lastRefreshedAt).not.toBeNull();

    // Restoring twice would duplicate: refused, nothing loaded.
    const again = await runCli(['restore', '--from', dir], target.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/restore loads into empty tables only/);
    expect(await fingerprints(target)).toEqual(before);
  }, 300_000); // a dozen CLI runs, each starting the embedded database: minutes on 2 busy cores

  it('restore loads nothing from an export it cannot trust, and says which line', async () => {
    const before = await fingerprints(target);
    const dir = tempDir();
    expect((await runCli(['rollback', '--yes', '--export-dir', dir], target.env)).code).toBe(0);
    expect((await runCli(['push'], target.env)).code).toBe(0);
    const views = readFileSync(join(dir, 'product_views.jsonl'), 'utf8');
    const [first = '', second = ''] = views.split('\n');
    const attempts: [string, string | Buffer, RegExp][] = [
      // Two rows on one line: a count of lines would take them for one.
      ['product_views.jsonl', `${first}${second}\n${views}`, /product_views.jsonl line 1: .*JSON/],
      ['product_views.jsonl', `${views}[1, 2]\n`, /line \d+: holds no JSON object/],
      [
        'affiliate_clicks.jsonl',
        `{"__proto__": {"is_converted": true}}\n`,
        /affiliate_clicks.jsonl line 1: "__proto__" is not a column of affiliate_clicks/,
      ],
      ['product_views.jsonl', `${'x'.repeat(9 * 1024 * 1024)}`, /line 1: is longer than/],
      ['session_analytics.jsonl', Buffer.from([0xff, 0x0a]), /line 1: is not UTF-8/],
    ];
    for (const [file, content, expected] of attempts) {
      const copy = tempDir();
      for (const table of rollbackTableNames) {
        const name = `${table}.jsonl`;
        writeFileSync(join(copy, name), readFileSync(join(dir, name)));
      }
      writeFileSync(join(copy, 'manifest.json'), readFileSync(join(dir, 'manifest.json')));
      writeFileSync(join(copy, file), content);
      const refused = await runCli(['restore', '--from', copy], target.env);
      expect(refused.code, file).toBe(2);
      expect(refused.stderr).toMatch(expected);
      expect(refused.stderr).toMatch(/nothing was loaded/);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(await rowCounts(target)).toEqual(
        Object.fromEntries(rollbackTableNames.map((t) => [t, 0])),
      );
    }
    // An export of other migrations does not fit this schema: refused, nothing loaded.
    const older = tempDir();
    for (const table of rollbackTableNames) {
      const name = `${table}.jsonl`;
      writeFileSync(join(older, name), readFileSync(join(dir, name)));
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(
      join(older, 'manifest.json'),
      JSON.stringify({ ...manifest, migrations: manifest.migrations.slice(0, -1) }),
    );
    const mismatch = await runCli(['restore', '--from', older], target.env);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/refusing: the export was taken at migration/);
    expect((await runCli(['restore', '--from', dir], target.env)).code).toBe(0);
    expect(await fingerprints(target)).toEqual(before);
  });

  it('keeps every row a writer committed while the export ran (rollback locks first)', async () => {
    expect((await runCli(['push'], target.env)).code).toBe(0);
    const db = await target.open();
    // On the embedded database the writer shares the one connection; on the server it has its own.
    const writerDb = driver === 'pglite' ? db : await target.open();
    try {
      const committed: string[] = [];
      let failure: string | undefined;
      let stop = false;
      const writer = (async () => {
        while (!stop) {
          try {
            const [row] = await queryRows<{ id: string }>(
              writerDb,
              sql`INSERT INTO affiliate_clicks (session_id, source_page, affiliate_network, affiliate_url, user_id, anonymous_id, product_id)
                  SELECT session_id, source_page, affiliate_network, affiliate_url, user_id, anonymous_id, product_id
                  FROM affiliate_clicks LIMIT 1 RETURNING id::text AS id`,
            );
            if (row) committed.push(row.id);
          } catch (error) {
            failure = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
            return;
          }
          await new Promise((done) => setTimeout(done, 2));
        }
      })();
      while (committed.length < 20 && failure === undefined) {
        await new Promise((done) => setTimeout(done, 5));
      }
      expect(failure).toBeUndefined();
      const dir = tempDir();
      const manifest = await exportAndDrop(db, dir);
      await writer;
      stop = true;
      // The writer waited for the lock and then found the table gone: a clean failure.
      expect(failure).toBe('42P01');
      const exported = new Set(exportedRows(dir, 'affiliate_clicks').map((r) => r.id));
      expect(exported.size).toBe(manifest.tables.affiliate_clicks);
      expect(committed.filter((id) => !exported.has(id))).toEqual([]);
    } finally {
      if (writerDb !== db) await writerDb.$close();
      await db.$close();
    }
  });
});

function exportedRows(dir: string, table: string): { id: string }[] {
  return readFileSync(join(dir, `${table}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * Moves some views and clicks to the month before, three months back and fourteen back, so the
 * export holds months the recreated tables have no partitions for, whatever today's date is.
 */
async function spreadOverMonths(target: Target) {
  const db = await target.open();
  try {
    for (const [i, months] of [1, 3, 14].entries()) {
      await db.execute(sql`UPDATE product_views SET view_timestamp = view_timestamp - make_interval(months => ${months})
        WHERE id IN (SELECT id FROM product_views ORDER BY id OFFSET ${i * 3} LIMIT 3)`);
    }
    // Clicks whose product had no commission then: restore keeps them so, whatever the
    // product says today (the database derives these only for new clicks).
    await db.execute(sql`UPDATE affiliate_clicks SET commission_rate = NULL, expected_commission = NULL
      WHERE id IN (SELECT id FROM affiliate_clicks ORDER BY id LIMIT 2)`);
    await db.execute(sql`SELECT aclue_partitions.maintain_monthly_partitions('public.product_views',
      'view_timestamp', (SELECT min(view_timestamp) FROM product_views), now())`);
  } finally {
    await db.$close();
  }
}

async function rowCounts(target: Target) {
  const db = await target.open();
  try {
    const counts: Record<string, number> = {};
    for (const table of rollbackTableNames) {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`,
      );
      counts[table] = row?.n ?? -1;
    }
    return counts;
  } finally {
    await db.$close();
  }
}

/** Every row of every rolled-back table, as one digest per table. */
async function fingerprints(target: Target) {
  const db = await target.open();
  try {
    const digests: Record<string, string> = {};
    for (const table of rollbackTableNames) {
      const [row] = await queryRows<{ digest: string; n: number }>(
        db,
        sql`SELECT md5(coalesce(string_agg(to_jsonb(t)::text, '|' ORDER BY to_jsonb(t)::text), '')) AS digest,
            count(*)::int AS n FROM ${sql.identifier(table)} t`,
      );
      digests[table] = `${row?.n}:${row?.digest}`;
    }
    return digests;
  } finally {
    await db.$close();
  }
}
