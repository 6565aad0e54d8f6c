import { is, type SQL } from 'drizzle-orm';
import { PgDialect, type PgPolicy, PgRole } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

/** SQL text with its values inlined, as drizzle-kit writes it into migrations. */
export const inlinedSql = (value: SQL) => dialect.sqlToQuery(value, 'indexes').sql;

/**
 * A policy expression as drizzle-kit writes it: columns stay table-qualified (inside a subquery an
 * unqualified `session_id` would bind to the subquery's table instead), values inlined.
 */
export const policyExpression = (value: SQL) => {
  const query = dialect.sqlToQuery(value);
  return query.params.length === 0 ? query.sql : inlinedSql(value);
};

/** The roles a policy applies to (`public` when it names none). */
export const policyRoles = (policy: PgPolicy): string[] =>
  policy.to === undefined
    ? ['public']
    : [policy.to].flat(2).map((role) => (is(role, PgRole) ? role.name : String(role)));

/**
 * When `role` may read a row under `policies` (row level security's rule): any permissive
 * SELECT/ALL policy for it admits the row, and every restrictive one does; `false` when none
 * applies. Table-qualified, like the policies.
 */
export function readableUnder(policies: readonly PgPolicy[], role: string): string {
  const applying = policies.filter(
    (p) =>
      ((p.for ?? 'all') === 'all' || p.for === 'select') &&
      policyRoles(p).some((r) => r === role || r === 'public'),
  );
  const using = (p: PgPolicy) => (p.using ? `(${policyExpression(p.using)})` : 'true');
  const permissive = applying.filter((p) => (p.as ?? 'permissive') === 'permissive').map(using);
  const restrictive = applying.filter((p) => p.as === 'restrictive').map(using);
  if (permissive.length === 0) return 'false';
  return [`(${permissive.join(' OR ')})`, ...restrictive].join(' AND ');
}
