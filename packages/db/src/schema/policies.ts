import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, pgPolicy } from 'drizzle-orm/pg-core';
import { anonRole, authenticatedRole, authUid, serviceRole } from 'drizzle-orm/supabase';

/**
 * The access rules of the data model as policy builders. Every policy calls `auth.uid()` wrapped
 * as `(select auth.uid())` (drizzle's `authUid`) so PostgreSQL evaluates it once per statement.
 */

const isOwner = (userId: AnyPgColumn): SQL => sql`${userId} = ${authUid}`;

/**
 * The anonymous visitor the caller's token names (`anonymous_id` claim), evaluated once per
 * statement. The public anon key carries no such claim: a client holding only that key owns no
 * anonymous rows, so it can neither read them nor record into them.
 */
export const anonymousClaim = sql`(select auth.jwt() ->> 'anonymous_id')`;

/**
 * A browser session the caller can see — its own (RLS of session_analytics applies inside the
 * policy, run as the caller). Foreign keys ignore RLS, so this is what keeps a caller's events out
 * of other callers' sessions.
 */
export const inCallersSession = (sessionId: AnyPgColumn): SQL =>
  sql`exists (select 1 from public.session_analytics s where s.session_id = ${sessionId})`;

/** A recommendation the caller can see (its own), when one is named. */
export const ofCallersRecommendation = (recommendationId: AnyPgColumn): SQL =>
  sql`(${recommendationId} is null or exists (select 1 from public.recommendations r where r.id = ${recommendationId}))`;

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

/**
 * An anonymous visitor records tracking rows only as itself: no user, and `mine` (its anonymous
 * id matches the claim, or the row lies in its own session).
 */
export const anonInsertsAnonymous = (table: string, userId: AnyPgColumn, mine: SQL) =>
  pgPolicy(`${table}_anon_insert`, {
    for: 'insert',
    to: anonRole,
    withCheck: sql`${userId} is null and ${mine}`,
  });

/** An anonymous visitor reads back its own rows (no user, and `mine` as above). */
export const anonReadsOwn = (table: string, userId: AnyPgColumn, mine: SQL) =>
  pgPolicy(`${table}_anon_select_own`, {
    for: 'select',
    to: anonRole,
    using: sql`${userId} is null and ${mine}`,
  });

/** Catalogue rows anyone may read while they are active. */
export const anyoneReadsActive = (table: string, isActive: AnyPgColumn) =>
  pgPolicy(`${table}_read_active`, {
    for: 'select',
    to: [anonRole, authenticatedRole],
    using: sql`${isActive} = true`,
  });
