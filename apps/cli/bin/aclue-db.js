#!/usr/bin/env node
// The compiled CLI (`npm run build`; `npm pack` and `npm publish` build it first). In this
// repository the tests run the TypeScript sources instead: see test/run-cli.ts.
let main;
try {
  ({ main } = await import('../dist/index.mjs'));
} catch (error) {
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !String(error.message).includes('/dist/index.mjs')
  ) {
    throw error;
  }
  process.stderr.write('aclue-db: the CLI is not built in this checkout: run `npm run build`\n');
  process.exit(2);
}
process.exitCode = await main(process.argv);
