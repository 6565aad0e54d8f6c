import * as schema from '@aclue/db/schema';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { lintMigrations, unsavedSchemaChanges } from '../src';

describe('schema code vs committed migrations', () => {
  it('finds nothing to migrate for the committed schema', async () => {
    expect(await unsavedSchemaChanges()).toEqual([]);
  });

  it('shows the SQL of a schema change that has no migration', async () => {
    const wishlists = pgTable('wishlists', { id: text('id').primaryKey() });
    const changes = await unsavedSchemaChanges({ ...schema, wishlists });
    expect(changes.join('\n')).toMatch(/CREATE TABLE "wishlists"/);
  });
});

describe('migration lint', () => {
  it('allows every finding on the committed migrations, each with a reason', async () => {
    const findings = await lintMigrations();
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((f) => !f.allowed)).toEqual([]);
  });
});
