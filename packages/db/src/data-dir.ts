import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where the embedded database lives inside a project. */
export const defaultDataDir = '.aclue/pglite';

/** A folder that ends the upward search: a git checkout, or an npm workspace root. */
function isProjectRoot(dir: string): boolean {
  if (existsSync(join(dir, '.git'))) return true;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      workspaces?: unknown;
    };
    return manifest.workspaces !== undefined;
  } catch {
    return false;
  }
}

/**
 * The embedded database's folder, found the way git finds its repository: `explicit` (a flag) or
 * `ACLUE_DATA_DIR` when set; else the nearest `.aclue/pglite` from `cwd` upwards, stopping at the
 * project's root (a `.git` folder or a workspace `package.json`); else `<root>/.aclue/pglite`, or
 * `<cwd>/.aclue/pglite` outside any project. So every folder of a project opens the same database.
 */
export function resolveDataDir(
  explicit?: string,
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (explicit) return resolve(cwd, explicit);
  if (env.ACLUE_DATA_DIR) return resolve(cwd, env.ACLUE_DATA_DIR);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, defaultDataDir);
    if (existsSync(candidate) || isProjectRoot(dir)) return candidate;
    if (dirname(dir) === dir) return resolve(cwd, defaultDataDir);
  }
}

/** True when `dataDir` holds an embedded database (PostgreSQL's data folder marker). */
export const holdsDatabase = (dataDir: string) => existsSync(join(dataDir, 'PG_VERSION'));
