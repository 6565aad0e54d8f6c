import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, pgPolicy } from 'drizzle-orm/pg-core';
import { anonRole, authenticatedRole, authUid, serviceRole } from 'drizzle-orm/supabase';

/**
 * The access rules of the data model as policy builders. Every policy calls `auth.uid()` wrapped
 * as `(select auth.uid())` (drizzle's `authUid`) so PostgreSQL evaluates it once per statement.
 */

const isOwner = (userId: AnyPgColumn): SQL => sql`${userId} = ${authUid}`;

/** The service role manages everything; explicit so the intent shows in the catalog. */
export const serviceRoleManages = (table: string) =>
  pgPolicy(`${table}_service_role_all`, {
    as: 'permissive',
    for: 'all',
    to: serviceRole,
    using: sql`true`,
    withCheck: sql`true`,
  });

/** A signed-in user reads only rows that carry its own id (never anonymous rows). */
export const ownerReads = (table: string, userId: AnyPgColumn) =>
  pgPolicy(`${table}_select_own`, {
    for: 'select',
    to: authenticatedRole,
    using: isOwner(userId),
  });

/** A signed-in user inserts rows only under its own id. */
export const ownerInserts = (table: string, userId: AnyPgColumn, extra?: SQL) =>
  pgPolicy(`${table}_insert_own`, {
    for: 'insert',
    to: authenticatedRole,
    withCheck: extra ? sql`${isOwner(userId)} and ${extra}` : isOwner(userId),
  });

/** A signed-in user updates only its own rows, and cannot hand them to someone else. */
export const ownerUpdates = (table: string, userId: AnyPgColumn) =>
  pgPolicy(`${table}_update_own`, {
    for: 'update',
    to: authenticatedRole,
    using: isOwner(userId),
    withCheck: isOwner(userId),
  });

/** A signed-in user does everything with its own rows (owner-only base tables). */
export const ownerManages = (table: string, userId: AnyPgColumn) =>
  pgPolicy(`${table}_owner_all`, {
    for: 'all',
    to: authenticatedRole,
    using: isOwner(userId),
    withCheck: isOwner(userId),
  });

/** An anonymous visitor may record tracking rows only while it claims no user. */
export const anonInsertsAnonymous = (table: string, userId: AnyPgColumn) =>
  pgPolicy(`${table}_anon_insert`, {
    for: 'insert',
    to: anonRole,
    withCheck: sql`${userId} is null`,
  });

/** Catalogue rows anyone may read while they are active. */
export const anyoneReadsActive = (table: string, isActive: AnyPgColumn) =>
  pgPolicy(`${table}_read_active`, {
    for: 'select',
    to: [anonRole, authenticatedRole],
    using: sql`${isActive} = true`,
  });
