import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDb, type Database, defaultMigrationsFolder } from '@aclue/db';
import { createEmptyServerDatabase, type TestDriver } from '@aclue/db/testing';
import { main } from '../src/main';

/**
 * The CLI from its sources in a child process, so tests need no build: tsx compiles the
 * TypeScript, and the `@aclue/source` export condition resolves the `@aclue/*` packages to their
 * sources too. The compiled bin is exercised by the consumer test in `tooling/`.
 */
const cliFromSource = [
  '--conditions=@aclue/source',
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  fileURLToPath(new URL('./source-bin/aclue-db.ts', import.meta.url)),
];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it. */
function collector(): Writable & { text: () => string } {
  let text = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return Object.assign(stream, { text: () => text });
}

/**
 * Runs `aclue-db` in this process, as `main(argv, io)`, in `cwd` with `env` over this process's
 * variables and no DATABASE_URL unless given: what the binary does, without a process start and
 * the engine's compilation per run. Tests in a file run one at a time, so the working folder and
 * the variables are this run's until it ends.
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = tempDir(),
): Promise<CliRun> {
  const saved = { ...process.env };
  const savedCwd = process.cwd();
  delete process.env.DATABASE_URL;
  Object.assign(process.env, env);
  process.chdir(cwd);
  const stdout = collector();
  const stderr = collector();
  try {
    const code = await main(['node', 'aclue-db', ...args], { stdout, stderr });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    process.chdir(savedCwd);
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  }
}

/**
 * The real `aclue-db` binary in a child process of its own: for runs that must happen at the same
 * time (locks), signals, and what only a process start shows.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = tempDir(),
): Promise<CliRun> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [...cliFromSource, ...args], {
    cwd,
    env: { ...inherited, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const tempDir = () => mkdtempSync(join(tmpdir(), 'aclue-cli-'));

/** Where a CLI test's database lives: a data folder, or a fresh database on the server. */
export interface Target {
  env: Record<string, string>;
  /** Opens the same database in this process (close it before the CLI runs on PGlite). */
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

export async function freshTarget(driver: TestDriver): Promise<Target> {
  if (driver === 'pglite') {
    const dataDir = join(tempDir(), 'db');
    return {
      env: { ACLUE_DATA_DIR: dataDir },
      open: () => createDb({ dataDir }),
      dispose: async () => {},
    };
  }
  const server = await createEmptyServerDatabase();
  return {
    env: { DATABASE_URL: server.url },
    open: () => createDb({ url: server.url }),
    dispose: server.drop,
  };
}

/** A scratch copy of the committed migrations folder, for a test to edit. */
export function copyOfMigrations(): string {
  const folder = tempDir();
  cpSync(defaultMigrationsFolder, folder, { recursive: true });
  return folder;
}

/** Cuts `folder`'s journal to its first `keep` migrations: migrate applies only those. */
export function keepFirstMigrations(folder: string, keep: number): void {
  const journalPath = join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  journal.entries = journal.entries.slice(0, keep);
  writeFileSync(journalPath, JSON.stringify(journal));
}

/** Rewrites one migration file of `folder` (by its file name) with `edit`. */
export function editMigration(folder: string, file: string, edit: (text: string) => string): void {
  const path = join(folder, file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}
