import {
  arrayInserts,
  type Identity,
  type ProductViewInsert,
  type ProductViewSelect,
  queryRows,
} from '@aclue/db';
import { type productViewRules, productViews } from '@aclue/db/schema';
import { sql } from 'drizzle-orm';
import type { BulkLoader } from './copy';
import { AccessDeniedError, refusedAsNotFound, toRepositoryError, validateRows } from './errors';
import { ownerColumns } from './owner';
import type { Runner } from './scope';
import { newestFirst, type Page } from './sql';
import { type CallerInput, validateInsert } from './write';

/** One view as the client reports it; the viewer comes from the caller's identity. */
export type ViewInput = CallerInput<ProductViewInsert, typeof productViewRules.access>;

/** Product views: the highest-volume events, written in batches. */
export class ProductViewRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
    private readonly bulkLoader?: BulkLoader,
  ) {}

  /**
   * Records a batch of views of any size as the caller. Every row is validated before anything is
   * written; a batch with one bad row writes nothing and the error names each bad row, field and
   * rule. Rows go in `unnest` INSERTs (one array per column), all in one transaction; `ids` are
   * in the order of `views`.
   */
  async recordProductViews(
    views: readonly ViewInput[],
  ): Promise<{ recorded: number; ids: string[] }> {
    const rows = this.validateBatch(views);
    const ids = await this.run(async (tx) => {
      const inserted = new Array<string>(rows.length);
      for (const { statement, indices } of arrayInserts(productViews, rows, sql`id`)) {
        const written = await queryRows<{ id: string }>(tx, statement);
        written.forEach(({ id }, n) => {
          inserted[indices[n] ?? 0] = id;
        });
      }
      return inserted;
    }).catch(
      refusedAsNotFound(
        "a view names a session or recommendation that is not the caller's (or does not exist)",
      ),
    );
    return { recorded: ids.length, ids };
  }

  /**
   * The service role's bulk path for imports and backfills: the same validation, then one `COPY`
   * on a PostgreSQL server (multi-row INSERTs on the embedded database). All or nothing.
   */
  async bulkLoadProductViews(
    views: readonly ViewInput[],
  ): Promise<{ recorded: number; method: 'copy' | 'insert' }> {
    if (this.identity.role !== 'service_role') {
      throw new AccessDeniedError('bulk loading is for the service role: use asService()');
    }
    if (!this.bulkLoader) {
      const { recorded } = await this.recordProductViews(views);
      return { recorded, method: 'insert' };
    }
    const rows = this.validateBatch(views);
    if (rows.length > 0) {
      await this.bulkLoader(productViews, rows).catch((error: unknown) => {
        throw toRepositoryError(error);
      });
    }
    return { recorded: rows.length, method: 'copy' };
  }

  /** Validates every row; one ValidationError names each bad row, field and rule. */
  private validateBatch(views: readonly ViewInput[]): Record<string, unknown>[] {
    const owner = { userId: ownerColumns(this.identity).userId };
    return validateRows(views, (view, row) =>
      validateInsert('productViews', this.identity, view, { fixed: owner, row }),
    );
  }

  /** The caller's recent views, newest first, a keyset page at a time. */
  async listMyRecentViews({
    limit = 50,
    after,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<ProductViewSelect>> {
    return this.run(myRecentViews({ limit, after }), { readOnly: true });
  }
}

const myRecentViews = newestFirst(productViews, productViews.viewTimestamp, productViews.id);
