import { mergeConfig } from 'vitest/config';
import shared from '../../tooling/vitest.config.ts';

export default mergeConfig(shared, {
  // The suite also runs through PgBouncer in transaction mode (the `pgbouncer` driver).
  test: { globalSetup: ['../../tooling/pgbouncer.ts'] },
});
