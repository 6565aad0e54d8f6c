// The CLI straight from its TypeScript sources, as test/run-cli.ts spawns it: what bin/aclue-db.js
// does with the compiled dist/, without a build step.
import { main } from '../../src/main.ts';

process.exitCode = await main(process.argv);
