import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmptyServerDatabase, testDrivers } from '@aclue/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const example = join(workspaceRoot, 'examples/schema-drift.yml');

/** The example's `run:` steps, in order, exactly as a runner would execute them. */
function runSteps(): string[] {
  const workflow = parse(readFileSync(example, 'utf8'));
  return Object.values(workflow.jobs as Record<string, { steps: { run?: string }[] }>).flatMap(
    (job) => job.steps.flatMap((step) => (step.run ? [step.run] : [])),
  );
}

interface StepRun {
  step: string;
  code: number | null;
  output: string;
}

/** Runs the steps with bash in `cwd` until one fails, as a CI runner does. */
function runUntilFailure(steps: string[], cwd: string, env: Record<string, string>): StepRun[] {
  const runs: StepRun[] = [];
  for (const step of steps) {
    const run = spawnSync('bash', ['-eo', 'pipefail', '-c', step], {
      cwd,
      env: { ...process.env, ...env, CI: 'true' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    runs.push({ step, code: run.status, output: `${run.stdout}${run.stderr}` });
    if (run.status !== 0) break;
  }
  return runs;
}

// The example names a server (GitHub's postgres service): it runs where the pg tests run.
describe.runIf(testDrivers().includes('pg'))('examples/schema-drift.yml, as written', () => {
  let clone: string;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    // A fresh clone of what is committed: no build, no node_modules, nothing left from this tree.
    clone = mkdtempSync(join(tmpdir(), 'aclue-ci-example-'));
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', workspaceRoot, clone]);
    database = await createEmptyServerDatabase();
  }, 600_000);
  afterAll(async () => {
    await database?.drop();
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('passes on a scratch database, then fails naming a hand-added column', async () => {
    const env = { DATABASE_URL: database.url };
    const steps = runSteps();
    expect(steps[0]).toBe('npm ci');
    const clean = runUntilFailure(steps, clone, env);
    const failed = clean.find((run) => run.code !== 0);
    expect(failed?.output ?? '', failed?.step).toBe('');
    expect(clean).toHaveLength(steps.length);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('ALTER TABLE public.affiliate_clicks ADD COLUMN added_by_hand text');
    } finally {
      await client.end();
    }
    // Installing and building again changes nothing: the database steps are what must fail.
    const checks = steps.filter((step) => step.includes('aclue-db'));
    const drifted = runUntilFailure(checks, clone, env);
    const failure = drifted.at(-1);
    expect(failure?.step).toMatch(/aclue-db drift/);
    expect(failure?.code).toBe(1);
    expect(failure?.output).toMatch(
      /affiliate_clicks.*added_by_hand|added_by_hand.*affiliate_clicks/,
    );
  }, 900_000);
});
