import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from './client';

/**
 * Who a query runs as, the way Supabase's API runs it: an anonymous visitor (`anon`), a signed-in
 * user (`authenticated` with the user's id as `sub`), or the service role. `owner` is the
 * connection's own role (migrations, seeding, Supabase Auth's own tables).
 */
export type Identity =
  | { role: 'anon'; anonymousId?: string; claims?: VerifiedClaims }
  | { role: 'authenticated'; userId: string; claims?: VerifiedClaims }
  | { role: 'service_role'; claims?: VerifiedClaims }
  | { role: 'owner' };

/**
 * The claims of a token whose signature, issuer, audience and lifetime were verified, whole: they
 * become `request.jwt.claims` as they are, so policies can read `aal`, `amr`, `is_anonymous` or
 * `app_metadata` through `auth.jwt()` — all but `role`, `sub` and `anonymous_id`, which are
 * always the identity's own.
 */
export type VerifiedClaims = Readonly<Record<string, unknown>>;

/** The claims an identity stands for, as `request.jwt.claims` carries them. */
function claimsOf(identity: Exclude<Identity, { role: 'owner' }>): { claims: string; sub: string } {
  const sub = identity.role === 'authenticated' ? identity.userId : '';
  // An anonymous visitor's id travels as the `anonymous_id` claim: the policies let a visitor
  // record and read back only rows under it. The public anon key carries none.
  // The verified claims pass whole, except what the identity itself decides: the role, and
  // `sub` / `anonymous_id` only where they name this identity (never a stray claim of a token).
  const { sub: _sub, anonymous_id: _anonymousId, role: _role, ...verified } = identity.claims ?? {};
  const claims = JSON.stringify({
    ...verified,
    ...(sub ? { sub } : {}),
    ...(identity.role === 'anon' && identity.anonymousId
      ? { anonymous_id: identity.anonymousId }
      : {}),
    role: identity.role,
  });
  return { claims, sub };
}

/** The statement that makes the rest of a transaction run as `identity`, values as parameters. */
function identitySql(identity: Identity): SQL {
  if (identity.role === 'owner') return sql`RESET ROLE`;
  const { claims, sub } = claimsOf(identity);
  // One statement: set_config('role', …, true) is SET LOCAL ROLE.
  return sql`SELECT set_config('request.jwt.claims', ${claims}, true), set_config('request.jwt.claim.sub', ${sub}, true), set_config('request.jwt.claim.role', ${identity.role}, true), set_config('role', ${identity.role}, true)`;
}

/**
 * Makes the rest of the current transaction run as `identity`: `SET LOCAL ROLE` and the JWT claims
 * as transaction-local settings (`set_config(..., true)`), both the current `request.jwt.claims`
 * and the legacy per-claim ones, so every Supabase version's `auth.uid()` reads them. Nothing
 * outlives the transaction, so it is safe behind a transaction-mode pooler.
 */
export async function setLocalIdentity(tx: Pick<Executor, 'execute'>, identity: Identity) {
  await tx.execute(identitySql(identity));
}

const dialect = new PgDialect();

/**
 * The statement {@link setLocalIdentity} sends, as text and parameters (`$1`…): for a driver
 * that sends it itself, ahead of a call's first statement in the same round trip (and through a
 * transaction-mode pooler as part of one transaction).
 */
export function identityStatement(identity: Identity): { text: string; values: unknown[] } {
  const { sql: text, params } = dialect.sqlToQuery(identitySql(identity));
  return { text, values: params };
}
