import type { Identity } from '@aclue/db';
import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { AccessDeniedError } from './errors';

/**
 * Who the caller is, as stored on the tracking rows it writes. An anonymous visitor records only
 * under its anonymous id (the policies refuse anonymous rows without one).
 */
export function ownerColumns(identity: Identity) {
  if (identity.role === 'anon' && !identity.anonymousId) {
    throw new AccessDeniedError(
      'an anonymous visitor records tracking rows under its id: use asAnon({ anonymousId })',
    );
  }
  return {
    userId: identity.role === 'authenticated' ? identity.userId : null,
    anonymousId: identity.role === 'anon' ? (identity.anonymousId ?? null) : null,
  };
}

/**
 * The rows the caller owns, for updates the platform makes on its behalf with the service role:
 * a user's rows by user id, an anonymous visitor's by its anonymous id (never a user's row).
 * The service role owns everything.
 */
export function ownedBy(
  identity: Identity,
  userId: AnyPgColumn,
  anonymousId: AnyPgColumn,
): SQL | undefined {
  if (identity.role === 'service_role' || identity.role === 'owner') return undefined;
  const owner = ownerColumns(identity);
  if (owner.userId) return eq(userId, owner.userId);
  return owner.anonymousId ? and(isNull(userId), eq(anonymousId, owner.anonymousId)) : sql`false`;
}

/**
 * The caller's rows of a table that carries no anonymous id (product views), within a session
 * already known to be the caller's: a user's by user id, an anonymous visitor's by having none.
 */
export function viewerIs(identity: Identity, userId: AnyPgColumn): SQL | undefined {
  if (identity.role === 'service_role' || identity.role === 'owner') return undefined;
  const owner = ownerColumns(identity);
  return owner.userId ? eq(userId, owner.userId) : isNull(userId);
}
