/**
 * Writes the migration that partitions the tables whose rules declare `partitioning`, from those
 * declarations and drizzle-kit's own CREATE statements (drizzle-kit cannot write PARTITION BY).
 *   npm run generate -w @aclue/db -- --name <name>   # the snapshot with the new primary key
 *   npx tsx --conditions=@aclue/source scripts/render-partition-migration.ts ../db/drizzle/<nnnn>_<name>.sql
 */
import { writeFileSync } from 'node:fs';
import {
  partitionExistingTableStatements,
  partitionedTables,
  partitionSchemaStatements,
} from '@aclue/db/objects';
import { drizzleCreateStatements } from '../src/partitions';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: render-partition-migration <file>');
  process.exit(2);
}
// On a busy database the rename waits behind every open transaction on product_views, and every
// new query then waits behind it: give up after a while instead, and run again in a quieter one.
const statements = ["SET LOCAL lock_timeout = '10s'", ...partitionSchemaStatements];
for (const table of partitionedTables) {
  statements.push(...partitionExistingTableStatements(table, await drizzleCreateStatements(table)));
}
// drizzle-kit ends each statement with a semicolon; the linter's parser needs them.
const terminated = statements.map((s) => (s.trimEnd().endsWith(';') ? s : `${s};`));
writeFileSync(file, `${terminated.join('\n--> statement-breakpoint\n')}\n`);
console.log(`wrote ${statements.length} statements to ${file}`);
