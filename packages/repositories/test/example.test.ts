import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('examples/track-and-analyse.ts', () => {
  it('runs end to end on its own fresh database, printing figures that agree with what it did', () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const run = spawnSync(
      process.execPath,
      ['--conditions=@aclue/source', '--import', 'tsx', 'examples/track-and-analyse.ts'],
      {
        cwd: root,
        env: { ...env, ACLUE_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'aclue-example-')), 'db') },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/a fresh embedded one in memory/);
    expect(run.stdout).toMatch(
      /visitor clicked the lamp; session counted the click: true, views marked clicked: 1/,
    );
    // Position 1 (the lamp) was clicked, position 2 (the mug) only seen.
    expect(run.stdout).toMatch(/view_position: 1,\s+views: 1,\s+clicks: 1,\s+ctr: 1/);
    expect(run.stdout).toMatch(/view_position: 2,\s+views: 1,\s+clicks: 0,\s+ctr: 0/);
    expect(run.stdout).toMatch(
      /linked pre-registration history: \{ affiliateClicks: 1, sessions: 1, productViews: 2 \}/,
    );
    expect(run.stdout).toMatch(/totalSwipes: 2/);
    expect(run.stdout).toMatch(/conversions: 1/);
    expect(run.stdout).toMatch(/key: 'winter'/);
  });
});
