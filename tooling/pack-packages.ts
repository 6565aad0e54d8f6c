// Packs every publishable workspace package (as npm lists them: not `private`) into one folder,
// each built first by its prepack script: `npm run pack:packages [-- <folder>]` (default
// `packages-dist/`). The consumer test packs with the same function.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = fileURLToPath(new URL('../', import.meta.url));

export interface WorkspacePackage {
  name: string;
  version: string;
  private?: boolean;
}

/** The workspace packages meant to be published. */
export function publishablePackages(): WorkspacePackage[] {
  const all: WorkspacePackage[] = JSON.parse(
    execFileSync('npm', ['query', '.workspace'], { cwd: workspaceRoot, encoding: 'utf8' }),
  );
  return all.filter((pkg) => pkg.private !== true);
}

/** Builds and packs them into `destination`; returns the tarballs' paths. */
export function packPublishable(destination: string): string[] {
  mkdirSync(destination, { recursive: true });
  const packages = publishablePackages();
  execFileSync(
    'npm',
    ['pack', '--pack-destination', destination, ...packages.flatMap((pkg) => ['-w', pkg.name])],
    { cwd: workspaceRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // npm names a tarball `<scope>-<name>-<version>.tgz`.
  return packages.map((pkg) =>
    join(destination, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = resolve(process.argv[2] ?? 'packages-dist');
  for (const tarball of packPublishable(destination)) console.log(tarball);
}
