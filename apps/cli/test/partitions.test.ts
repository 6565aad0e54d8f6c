import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget, runCli, type Target, tempDir } from './run-cli';

describe.each(testDrivers())('aclue-db partitions on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
  });
  afterAll(() => target?.dispose());

  it('creates the months from --from, moving stray rows out of the default partition', async () => {
    const db = await target.open();
    try {
      await db.execute(
        sql`INSERT INTO public.categories (name, slug) VALUES ('c', 'c-partitions')`,
      );
      await db.execute(sql`INSERT INTO public.products (title) VALUES ('p')`);
      await db.execute(sql`INSERT INTO public.product_views (product_id, session_id, view_timestamp)
        SELECT id, 's', '2025-05-20T00:00:00Z' FROM public.products`);
    } finally {
      await db.$close();
    }
    const dirty = await runCli(['verify'], target.env);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain('default partition is empty');

    const run = await runCli(['partitions', 'maintain', '--from', '2025-05'], target.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /created \d+ partitions: product_views_p2025_05, product_views_p2025_06/,
    );
    expect(run.stdout).toMatch(
      /product_views\s+2025-05\s+aclue_partitions\.product_views_p2025_05/,
    );
    expect((await runCli(['verify'], target.env)).code).toBe(0);

    // Nothing to do — unless a month began between the two runs, which makes one more month
    // "ahead" due: that partition is the only one a second run may create.
    const again = await runCli(['partitions', 'maintain', '--from', '2025-05'], target.env);
    expect(again.stdout).toMatch(
      /nothing to do|created 1 partitions: product_views_p\d{4}_\d{2}\n/,
    );
    const listed = JSON.parse((await runCli(['partitions', '--json'], target.env)).stdout) as {
      partitions: { partition: string; from: string | null; estimatedRows: number }[];
    };
    expect(listed.partitions[0]).toMatchObject({
      partition: 'aclue_partitions.product_views_p2025_05',
      from: '2025-05-01T00:00:00.000Z',
    });
    expect(listed.partitions.at(-1)).toMatchObject({ from: null });
  });

  it('refuses malformed months and horizons in one line (exit 2)', async () => {
    for (const args of [
      ['--from', '2025-5'],
      ['--from', '2025-13'],
      ['--ahead', '0'],
      ['--ahead', 'three'],
    ]) {
      const run = await runCli(['partitions', 'maintain', ...args], target.env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^aclue-db: --(from must be|ahead takes) .*\n$/);
    }
  });

  it('retention archives the months past --keep-months to --export-dir, then drops them', async () => {
    const refused = await runCli(['retention'], target.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^aclue-db: retention needs --export-dir <dir>/);

    const dry = await runCli(
      ['retention', '--dry-run', '--keep-months', '6', '--json'],
      target.env,
    );
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as { expiredPartitions: { partition: string }[] };
    expect(planned.expiredPartitions[0]).toMatchObject({
      partition: 'product_views_p2025_05',
      columnsLeftOut: ['user_id', 'session_id', 'recommendation_id', 'search_query'],
    });

    const dir = tempDir();
    const run = await runCli(['retention', '--export-dir', dir, '--keep-months', '6'], target.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/affiliate_clicks\s+0\s+90 days/);
    expect(run.stdout).toMatch(/product_views_p2025_05\s+1\s/);
    const files = readdirSync(dir).sort();
    const archive = files.find((f) => /^product_views_p2025_05-\d{8}T\d{6}Z\.jsonl$/.test(f));
    expect(archive).toBeDefined();
    expect(files).toContain(archive?.replace('.jsonl', '.manifest.json'));
    expect(files.some((f) => f.endsWith('.partial'))).toBe(false);
    const archived = readFileSync(join(dir, archive ?? ''), 'utf8').trim();
    expect(JSON.parse(archived)).toMatchObject({ view_timestamp: '2025-05-20T00:00:00+00:00' });
    expect(archived).not.toContain('session_id');
    expect((await runCli(['partitions'], target.env)).stdout).not.toContain('2025-05');
    expect((await runCli(['verify'], target.env)).code).toBe(0);
  });
});
