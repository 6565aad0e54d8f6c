import { defineConfig } from 'drizzle-kit';

// drizzle-kit 0.31's `push` prints a failed statement and still exits 0, and it cannot create
// what this schema needs beyond tables (partitions, triggers, grants, policy functions).
if (process.argv.includes('push')) {
  process.stderr.write(
    'aclue-db: drizzle-kit push exits 0 even when a statement fails and leaves the database half-built; run `npx aclue-db push` instead (it finishes the schema, verifies it and fails when anything is wrong)\n',
  );
}

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  // check:migrations points this at a scratch copy to see whether generate would add anything.
  out: process.env.DRIZZLE_OUT ?? './drizzle',
  schemaFilter: ['public'],
  entities: { roles: { provider: 'supabase' } },
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
});
