import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli';

/** A project like this one: a workspace root with an app folder below it. */
function project() {
  const root = tempDir();
  writeFileSync(join(root, 'package.json'), JSON.stringify({ workspaces: ['apps/*'] }));
  const app = join(root, 'apps', 'web');
  mkdirSync(app, { recursive: true });
  return { root, app };
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean);

describe('the embedded database is the project’s, wherever a command runs', () => {
  it('creates it only on setup/migrate, at the project root, and finds it from any folder', async () => {
    const { root, app } = project();
    const status = await runCli(['status'], {}, app);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(`no embedded database at ${join(root, '.aclue/pglite')}`);
    expect(existsSync(join(root, '.aclue'))).toBe(false);
    expect(existsSync(join(app, '.aclue'))).toBe(false);

    const migrate = await runCli(['migrate'], {}, app);
    expect(migrate.code).toBe(0);
    expect(migrate.stderr).toContain(
      `creating a new embedded database at ${join(root, '.aclue/pglite')}`,
    );
    expect(existsSync(join(root, '.aclue/pglite/PG_VERSION'))).toBe(true);
    expect(existsSync(join(app, '.aclue'))).toBe(false);

    const again = await runCli(['status', '--json'], {}, app);
    expect(again.code).toBe(0);
    const { migrations } = JSON.parse(again.stdout) as { migrations: { state: string }[] };
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.state === 'applied')).toBe(true);
    expect((await runCli(['status'], {}, root)).code).toBe(0);
  });

  it('refuses a mistyped --data-dir and an empty --database-url in one line, creating nothing', async () => {
    const { root } = project();
    const typo = await runCli(['verify', '--data-dir', 'acleu-data'], {}, root);
    expect(typo.code).toBe(2);
    expect(lines(typo.stderr)).toHaveLength(1);
    expect(typo.stderr).toMatch(
      /^aclue-db: no embedded database at .*acleu-data: run `aclue-db setup`/,
    );
    expect(existsSync(join(root, 'acleu-data'))).toBe(false);

    for (const command of ['status', 'seed']) {
      const run = await runCli([command, '--database-url', ''], {}, root);
      expect(run.code).toBe(2);
      expect(lines(run.stderr)).toEqual([
        expect.stringMatching(/^aclue-db: --database-url is empty/),
      ]);
    }
  });
});
