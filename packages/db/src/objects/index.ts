import { commentStatements, tableComments } from './comments';
import { grantStatements, tableGrants } from './privileges';
import { seedCategoriesStatement } from './seed';
import { supabaseCompatibilityStatements } from './supabase';
import { triggerStatement, updatedAtFunction, updatedAtTriggers } from './triggers';

export * from './comments';
export * from './privileges';
export * from './seed';
export * from './supabase';
export * from './triggers';

/**
 * What drizzle-kit cannot express, by custom migration name. Each migration was rendered from these
 * declarations when it was created; a later change to a declaration needs a new custom migration
 * (migrations are append-only), and verification compares the live database to the declarations.
 */
export const customMigrationStatements = {
  supabase_compat: () => supabaseCompatibilityStatements,
  database_objects: () => databaseObjectStatements(),
} satisfies Record<string, () => readonly string[]>;

/**
 * The trigger function, triggers, grants, comments and seed, in order. `rerunnable` replaces
 * existing triggers instead of failing on them, for `aclue-db push`; every other statement is
 * idempotent as it is.
 */
export function databaseObjectStatements({ rerunnable = false } = {}): string[] {
  return [
    updatedAtFunction.definition,
    ...updatedAtTriggers.map((t) => triggerStatement(t, { orReplace: rerunnable })),
    ...tableGrants.flatMap(grantStatements),
    ...tableComments.flatMap(commentStatements),
    seedCategoriesStatement,
  ];
}

export type CustomMigrationName = keyof typeof customMigrationStatements;
