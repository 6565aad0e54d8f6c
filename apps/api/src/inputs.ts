import { type TableName, validation } from '@aclue/db';
import { writableFields } from '@aclue/db/objects';
import { z } from '@hono/zod-openapi';

/**
 * The fields a browser caller may give for a row of `table`, with the table's own rules: the same
 * declarations the database's grants and the repositories' validation come from.
 */
export function callerRow(table: TableName) {
  const { shape } = validation[table].insert as unknown as z.ZodObject;
  // The row-level rules (refinements) stay with the repositories; documents need the fields.
  return z.object(
    Object.fromEntries(writableFields(table, 'anon').map((key) => [key, shape[key] as z.ZodType])),
  );
}

/** A keyset cursor as the repositories return it (`next`). */
export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(200, 'limit must be at most 200')
    .default(50),
  after: z.string().max(200, 'after must be a cursor from a previous page').optional(),
});

/** The proof of a visitor id, for a beacon's body (a beacon cannot send headers). */
export const beaconVisitor = z.string().max(4096).optional().openapi({
  description: 'the visitor proof, when the request cannot carry the cookie or the header',
});
