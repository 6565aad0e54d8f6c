import { type Identity, type TableName, validation } from '@aclue/db';
import { writableFields } from '@aclue/db/objects';
import type { z } from 'zod';
import { validateWrite } from './errors';

type InsertSchema<N extends TableName> = (typeof validation)[N]['insert'];

/**
 * Validates a row `identity` writes into table `name`: only the fields the table's access rules
 * let that caller give (an API caller never names ids, times, conversions or counters; the
 * service role may also give event times), merged with `fixed` (the owner columns stamped from
 * the identity), then every rule of the table.
 */
export function validateInsert<N extends TableName>(
  name: N,
  identity: Identity,
  input: object,
  { fixed = {}, row }: { fixed?: Record<string, unknown>; row?: number } = {},
): z.output<InsertSchema<N>> {
  return validateWrite(
    validation[name].insert as InsertSchema<N>,
    input as Record<string, unknown>,
    {
      allowed: writableFields(name, identity.role),
      fixed,
      why:
        identity.role === 'service_role'
          ? 'is set by the database or comes from the caller identity'
          : 'is set by the platform or the database, or comes from the caller identity',
      ...(row === undefined ? {} : { row }),
    },
  );
}

type ServiceKeys<Access> = Access extends { serviceInsert: readonly (infer K)[] } ? K : never;

/**
 * What a caller gives for a row of a table, typed from its access rules: the columns it may give
 * (required where the table requires them), and what only the service role may add, optional.
 */
export type CallerInput<Insert, Access extends { insert: readonly string[] }> = Pick<
  Insert,
  Extract<Access['insert'][number], keyof Insert>
> &
  Partial<Pick<Insert, Extract<ServiceKeys<Access>, keyof Insert>>>;
