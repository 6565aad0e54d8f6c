// `npm run release:dry-run`: what `npm run release` would publish, without publishing. The build
// has run (turbo, as in `release`); each publishable package then goes through
// `npm publish --dry-run`, which packs it as the registry would receive it and checks its manifest.
// changesets has no dry run of its own; `changeset status` lists the versions pending.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { publishablePackages } from './pack-packages.ts';

const workspaceRoot = fileURLToPath(new URL('../', import.meta.url));

execFileSync('npx', ['changeset', 'status'], { cwd: workspaceRoot, stdio: 'inherit' });
let failed = 0;
for (const { name, version } of publishablePackages()) {
  // The build already ran: no prepack rebuild, and no registry write.
  const run = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts', '-w', name], {
    cwd: workspaceRoot,
    encoding: 'utf8',
  });
  const files = /total files:\s*(\d+)/.exec(run.stderr)?.[1] ?? '?';
  const size = /package size:\s*([^\n]+)/.exec(run.stderr)?.[1]?.trim() ?? '?';
  if (run.status === 0) {
    console.log(`✔ ${name}@${version}: ${files} files, ${size}`);
  } else {
    failed += 1;
    console.error(`✘ ${name}@${version}: npm publish --dry-run failed\n${run.stderr}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
