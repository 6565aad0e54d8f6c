import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDb, migrate } from '@aclue/db';
import { formatMeasurements, measure } from './measure';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../apps/cli/bin/aclue-db.js', import.meta.url));

/**
 * Start-up of the compiled CLI (`npm run bench` builds it first), as an installed package runs
 * it: `aclue-db --help` and `status` on a migrated embedded database, each a fresh process,
 * against a bare `node -e ''` in the same rounds (what any CLI costs to start).
 */
export async function cliSuite(rounds: number) {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'aclue-bench-cli-')), 'db');
  const db = await createDb({ dataDir });
  await migrate(db);
  await db.$close();
  const env = { ...process.env, ACLUE_DATA_DIR: dataDir, DATABASE_URL: '' };
  const rows = await measure(
    [
      { name: 'node -e "" (baseline)', run: () => run(process.execPath, ['-e', '']) },
      { name: 'aclue-db --help', run: () => run(process.execPath, [bin, '--help'], { env }) },
      {
        name: 'aclue-db status (embedded)',
        run: () => run(process.execPath, [bin, 'status'], { env }),
      },
    ],
    rounds,
  );
  return {
    data: rows,
    text: formatMeasurements('CLI start-up, a new process each run', rows, 'node -e "" (baseline)'),
  };
}
