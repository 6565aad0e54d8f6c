import { readMigrations } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOfMigrations, editMigration, freshTarget, runCli, type Target } from './run-cli';

const tags = readMigrations().map((m) => m.tag);

describe.each(testDrivers())('aclue-db status on %s', (driver) => {
  let target: Target;
  beforeAll(async () => {
    target = await freshTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('lists every migration as pending on an empty database, and applied after migrate', async () => {
    if (driver === 'pglite') {
      // status never creates an embedded database; an empty one is made the way code would.
      const refused = await runCli(['status'], target.env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/no embedded database at .*: run `aclue-db setup`/);
      await (await target.open()).$close();
    }
    const before = await runCli(['status', '--json'], target.env);
    expect(before.code).toBe(0);
    expect(
      JSON.parse(before.stdout).migrations.map((m: { tag: string; state: string }) => [
        m.tag,
        m.state,
      ]),
    ).toEqual(tags.map((t) => [t, 'pending']));
    expect((await runCli(['migrate'], target.env)).code).toBe(0);
    const after = await runCli(['status'], target.env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`${tags.length} applied, 0 pending, 0 problems`);
    expect(after.stdout).toMatch(new RegExp(`${tags[0]}\\s+applied\\s+[0-9a-f]{12}`));
  });

  it('reports an applied migration edited afterwards as an error (exit 1)', async () => {
    const folder = copyOfMigrations();
    editMigration(folder, `${tags[1]}.sql`, (text) => `${text}\n-- hand edit\n`);
    const run = await runCli(['status', '--migrations-dir', folder], target.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`${tags[1]}\\s+edited`));
    expect(run.stdout).toContain(`✘ migration ${tags[1]}.sql was edited after it was applied`);
  });
});
