/**
 * Writes a custom migration's SQL from its TypeScript declarations.
 *   npx drizzle-kit generate --custom --name <name>   # creates the empty file and journal entry
 *   npx tsx scripts/render-custom-migration.ts <name> drizzle/<nnnn>_<name>.sql
 */
import { writeFileSync } from 'node:fs';
import { type CustomMigrationName, customMigrationStatements } from '../src/objects';

const [name, file] = process.argv.slice(2);
if (!name || !file || !(name in customMigrationStatements)) {
  console.error(
    `usage: render-custom-migration <${Object.keys(customMigrationStatements).join('|')}> <file>`,
  );
  process.exit(2);
}
const statements = customMigrationStatements[name as CustomMigrationName]();
writeFileSync(file, `${statements.join('\n--> statement-breakpoint\n')}\n`);
console.log(`wrote ${statements.length} statements to ${file}`);
