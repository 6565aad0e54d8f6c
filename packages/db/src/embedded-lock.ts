import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { DatabaseLockedError, type LockHolder } from './errors';

/**
 * One process at a time per embedded data folder. The lock is a `<folder>.lock` directory made by
 * proper-lockfile (atomic mkdir) with the holder's pid, command and start written inside, so a
 * refusal names who holds it, and a lock whose holder died is taken over (its pid is gone).
 *
 * Staleness is judged by the pid, not by time: PGlite runs in the holder's event loop and can
 * block it for longer than any refresh interval on a busy machine, and a time-based takeover of a
 * live holder is exactly the two-writer corruption this lock exists to prevent. The mtime
 * threshold is only the last resort for a holder on another host.
 */

const STALE_MS = 6 * 60 * 60 * 1000;
const POLL_MS = 200;
const HOLDER_GRACE_MS = 1_000;

const lockDirOf = (dataDir: string) => `${dataDir}.lock`;
const holderFile = (dataDir: string) => join(lockDirOf(dataDir), 'holder.json');

function readHolder(dataDir: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(holderFile(dataDir), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// "aclue-db seed", whether the script ran compiled (aclue-db.js) or from source (aclue-db.ts).
const commandLine = () =>
  [
    basename(process.argv[1] ?? process.argv0).replace(/\.[cm]?[jt]s$/, ''),
    ...process.argv.slice(2, 3),
  ].join(' ');

/**
 * Takes the exclusive lock of `dataDir`, waiting up to `waitMs` for a holder to finish; returns
 * the function that releases it. Throws {@link DatabaseLockedError} naming the holder.
 */
export async function lockDataDir(
  dataDir: string,
  { waitMs = 0 }: { waitMs?: number } = {},
): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  const firstRefusal = Date.now();
  for (;;) {
    try {
      const release = await lockfile.lock(dataDir, {
        stale: STALE_MS,
        realpath: false,
        lockfilePath: lockDirOf(dataDir),
        onCompromised: (error) => {
          process.emitWarning(`the lock of ${dataDir} was lost: ${error.message}`);
        },
      });
      const holder: LockHolder = {
        pid: process.pid,
        host: hostname(),
        command: commandLine(),
        since: new Date().toISOString(),
      };
      // proper-lockfile checks that the lock directory's mtime is still the one it set: writing
      // the holder inside changes it, so it is put back.
      const { mtime } = statSync(lockDirOf(dataDir));
      writeFileSync(holderFile(dataDir), JSON.stringify(holder));
      utimesSync(lockDirOf(dataDir), mtime, mtime);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        // proper-lockfile removes the lock directory with rmdir: empty it first.
        rmSync(holderFile(dataDir), { force: true });
        await release().catch((error: Error) => {
          // Compromised (someone removed the lock by hand): nothing left to release.
          process.emitWarning(`releasing the lock of ${dataDir}: ${error.message}`);
        });
      };
    } catch (error) {
      // ENOTEMPTY: proper-lockfile judged the lock stale by its mtime (a clock that jumped, or a
      // holder that stopped refreshing it) and could not rmdir it, since holder.json is inside.
      // Either way it is held: who holds it, and whether they still live, decides below.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED' && code !== 'ENOTEMPTY') throw error;
      const holder = readHolder(dataDir);
      // Just taken: its holder is writing its name down.
      if (!holder && Date.now() < firstRefusal + HOLDER_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
        // Its holder died without releasing it (killed, crashed): nobody is writing.
        rmSync(lockDirOf(dataDir), { recursive: true, force: true });
        continue;
      }
      if (Date.now() >= deadline) throw new DatabaseLockedError(dataDir, holder);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
