/**
 * CI's schema drift guard: the committed migrations must already contain everything the schema
 * code declares. Runs `drizzle-kit generate` against a scratch copy of the migrations folder
 * (the committed one is never touched) and fails if it would write a migration, then runs
 * `drizzle-kit check` on the committed folder.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';

const committed = 'drizzle';
// drizzle-kit only accepts an output folder relative to the package.
const scratch = '.drift-check';
rmSync(scratch, { recursive: true, force: true });
cpSync(committed, scratch, { recursive: true });

const drizzleKit = (args: string[], env: Record<string, string> = {}) =>
  execFileSync('npx', ['drizzle-kit', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

function check(): number {
  const output = drizzleKit(['generate', '--name', 'drift_probe'], { DRIZZLE_OUT: scratch });
  const added = readdirSync(scratch).filter((f) => f.endsWith('.sql') && f.includes('drift_probe'));
  if (added.length > 0) {
    console.error(
      'check:migrations: the schema code has changes with no migration. Run `npm run generate -w @aclue/db -- --name <what changed>` and commit the new file in packages/db/drizzle.',
    );
    return 1;
  }
  // drizzle-kit exits 0 even when it fails to read its folder: insist on its all-clear.
  if (!output.includes('No schema changes')) throw new Error(output);
  drizzleKit(['check']);
  console.log(
    'check:migrations: schema code and committed migrations agree; drizzle-kit check passed',
  );
  return 0;
}

let code: number;
try {
  code = check();
} catch (error) {
  const { stderr, stdout, message } = error as {
    stderr?: string;
    stdout?: string;
    message: string;
  };
  console.error(`check:migrations: drizzle-kit failed: ${stderr || stdout || message}`);
  code = 2;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
