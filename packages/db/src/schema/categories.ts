import {
  type AnyPgColumn,
  index,
  integer,
  pgTable,
  text,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { createdAt, flag, id } from './columns';
import { anyoneReadsActive, serviceRoleManages } from './policies';
import { checksFor, type TableRules } from './rules';

export const categoryRules = {
  access: { group: 'catalogue' },
  lengths: { description: 2000, iconUrl: 2048 },
  ranges: { sortOrder: { min: 0 } },
} as const satisfies TableRules;

/** Gift categories, a tree (parent_id). Public catalogue data: anyone reads active rows. */
export const categories = pgTable(
  'categories',
  {
    id: id(),
    name: varchar('name', { length: 100 }).notNull(),
    slug: varchar('slug', { length: 100 }).notNull().unique('categories_slug_key'),
    description: text('description'),
    iconUrl: text('icon_url'),
    parentId: uuid('parent_id').references((): AnyPgColumn => categories.id, {
      onDelete: 'set null',
    }),
    sortOrder: integer('sort_order').notNull().default(0),
    isActive: flag('is_active', true),
    createdAt: createdAt(),
  },
  (t) => [
    ...checksFor('categories', t, categoryRules),
    index('idx_categories_parent_id').on(t.parentId),
    serviceRoleManages('categories'),
    anyoneReadsActive('categories', t.isActive),
  ],
).enableRLS();
