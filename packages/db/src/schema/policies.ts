import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, pgPolicy } from 'drizzle-orm/pg-core';
import { anonRole, authenticatedRole, authUid, serviceRole } from 'drizzle-orm/supabase';

/**
 * The policy kit: Supabase's access patterns as builders of Drizzle `pgPolicy` definitions, so a
 * table declares its policies in its schema file and drizzle-kit, verification and the
 * repositories all read the same ones. Every policy that reads the caller wraps it in a sub-select
 * (`(select auth.uid())`, drizzle's `authUid`) so PostgreSQL evaluates it once per statement.
 * Import it from `@aclue/db/policies` to build your own tables' policies the same way.
 */

const isOwner = (userId: AnyPgColumn): SQL => sql`${userId} = ${authUid}`;

/**
 * The anonymous visitor the caller's token names (`anonymous_id` claim), evaluated once per
 * statement. The public anon key carries no such claim: a client holding only that key owns no
 * anonymous rows, so it can neither read them nor record into them.
 */
export const anonymousClaim = sql`((select auth.jwt()) ->> 'anonymous_id')`;

/**
 * A browser session the caller can see — its own (RLS of session_analytics applies inside the
 * policy, run as the caller). Foreign keys ignore RLS, so this is what keeps a caller's events out
 * of other callers' sessions.
 */
export const inCallersSession = (sessionId: AnyPgColumn): SQL =>
  sql`exists (select 1 from public.session_analytics s where s.session_id = ${sessionId})`;

/**
 * For reads: a row of one of the caller's sessions. The caller's session ids are gathered once
 * per statement (RLS of session_analytics decides which) and the table's session index finds
 * their rows; a per-row EXISTS would make `select count(*)` with the bare anon key read every
 * anonymous row of the table.
 */
export const inCallersSessions = (sessionId: AnyPgColumn): SQL =>
  sql`${sessionId} = any (array(select s.session_id from public.session_analytics s))`;

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

/**
 * True unless multi-factor authentication is required and the caller's session did not pass it.
 * The requirement is the boolean setting `aclue.require_mfa` (`ALTER DATABASE postgres SET
 * aclue.require_mfa = on`, or on the API's login role); the session's level is the token's `aal`.
 * Read as a boolean, so `on`, `true`, `yes` and `1` all require it, and a value that is not a
 * boolean makes the write fail rather than pass.
 */
export const mfaSatisfied = sql`(not coalesce((select nullif(current_setting('aclue.require_mfa', true), '')::boolean), false) or ((select auth.jwt()) ->> 'aal') = 'aal2')`;

/** The suffix of every MFA policy's name; the repositories turn its refusal into a clear error. */
export const MFA_POLICY_SUFFIX = '_requires_mfa';

/**
 * A restrictive policy: when MFA is required, a signed-in user may `command` rows of `table` only
 * from a session at `aal2`. Restrictive, so it narrows the table's other policies rather than
 * widening them; for inserts and updates it checks the new row, so an `aal1` caller gets an error
 * (not a silent no-op).
 */
export const requiresMfa = (table: string, command: 'insert' | 'update' | 'delete') =>
  pgPolicy(`${table}_${command}${MFA_POLICY_SUFFIX}`, {
    as: 'restrictive',
    for: command,
    to: authenticatedRole,
    ...(command === 'delete' ? { using: mfaSatisfied } : { withCheck: mfaSatisfied }),
  });

/** The caller's tenant: a claim in the token's `app_metadata` (which only the server can set). */
export const tenantOfCaller = (claim = 'tenant_id'): SQL => {
  if (!/^[a-z_][a-z0-9_]*$/i.test(claim)) {
    throw new TypeError(`tenant claim "${claim}" must be a plain identifier`);
  }
  return sql.raw(`((select auth.jwt()) -> 'app_metadata' ->> '${claim}')`);
};

/**
 * Tenant isolation template: a restrictive policy that keeps every API caller's reads and
 * writes inside its own tenant (`tenantColumn` equal to `app_metadata.<claim>`), whatever the
 * table's other policies allow. A token without the claim sees and writes nothing.
 */
export const tenantIsolation = (table: string, tenantColumn: AnyPgColumn, claim = 'tenant_id') =>
  pgPolicy(`${table}_tenant_isolation`, {
    as: 'restrictive',
    for: 'all',
    // Both API roles: a visitor (no app_metadata) then sees no tenant's rows, even where another
    // policy lets anyone read.
    to: [anonRole, authenticatedRole],
    using: sql`${tenantColumn}::text = ${tenantOfCaller(claim)}`,
    withCheck: sql`${tenantColumn}::text = ${tenantOfCaller(claim)}`,
  });
