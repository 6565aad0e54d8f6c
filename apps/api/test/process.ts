import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The service from its sources, as `npm run dev` starts it (tsx, the source condition). */
const apiFromSource = [
  '--conditions=@aclue/source',
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  fileURLToPath(new URL('../src/main.ts', import.meta.url)),
];

const started = new Set<ChildProcess>();

/** Kills every service a test started that is still running (a failed test leaves none behind). */
export function stopStartedServices(): void {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  started.clear();
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** The built service, as `npm run api` and the container start it (`npm run build` first). */
const builtApi = [fileURLToPath(new URL('../dist/main.mjs', import.meta.url))];

/**
 * Starts the service with `env` (on PORT 0 unless given) and waits until it listens: from its
 * sources, or `built` (dist/, which turbo builds before this package's tests).
 */
export function startApiProcess(
  env: Record<string, string>,
  { built = false }: { built?: boolean } = {},
): Promise<ApiProcess> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, built ? builtApi : apiFromSource, {
    env: { ...inherited, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // A service that never said it listens must not outlive the test that started it.
      child.kill('SIGKILL');
      reject(new Error(`the service did not start:\n${output}`));
    }, 60_000);
    let started = false;
    const read = (chunk: Buffer) => {
      if (output.length < 5_000_000) output += chunk;
      if (started) return;
      const listening = /"url":"(http:\/\/[^"]+)","[^\n]*"msg":"listening"/.exec(output);
      if (listening?.[1]) {
        started = true;
        clearTimeout(timer);
        resolve({ url: listening[1], child, output: () => output, exited });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (${code}) before listening:\n${output}`));
    });
  });
}

/** A JSON POST to a running service. */
export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
