import {
  createServerTemplate,
  serverTemplateVariable,
  testDrivers,
} from '../packages/db/src/testing';

/**
 * Vitest global setup: one migrated database on the test server per run, which `pg` and
 * `pgbouncer` test databases are copied from instead of each being migrated (the migrations
 * themselves are tested on empty databases by the suites that test them). Dropped with the run.
 * No server, or only the embedded engine wanted: nothing to do, and the tests that need the
 * server say so themselves. Imported from the sources: a global setup is loaded outside the
 * `@aclue/source` condition, where `@aclue/db` would be its last build.
 */
export default async function setup() {
  if (testDrivers({ pooled: true }).every((d) => d === 'pglite')) return;
  const template = await createServerTemplate().catch(() => undefined);
  if (!template) return;
  process.env[serverTemplateVariable] = template.name;
  return async () => {
    delete process.env[serverTemplateVariable];
    await template.drop();
  };
}
