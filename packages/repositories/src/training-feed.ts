import { type RecommendationFeedbackSelect, storableString } from '@aclue/db';
import { recommendationFeedback } from '@aclue/db/schema';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { validate } from './errors';
import type { Runner } from './scope';

const batchInput = z.object({ limit: z.number().int().min(1).max(10_000).default(500) });
const approveInput = z.object({
  ids: z.array(z.uuid()).min(1, 'ids must name at least one feedback row').max(10_000),
  notes: storableString('notes', 4000).optional(),
});

/**
 * The recommender's training feed (service role): unprocessed, validated feedback, oldest first.
 * Rows are locked with `FOR UPDATE SKIP LOCKED`, so concurrent workers never take the same row.
 */
export class TrainingFeedRepository {
  constructor(private readonly run: Runner) {}

  /**
   * Moderation: marks feedback as validated so training may take it (user feedback starts
   * unvalidated, so nobody can poison the model by writing). Returns how many rows changed.
   */
  async approve(ids: readonly string[], notes?: string): Promise<number> {
    const { ids: valid, notes: note } = validate(approveInput, { ids, notes });
    const f = recommendationFeedback;
    const rows = await this.run((tx) =>
      tx
        .update(f)
        .set({ isValidated: true, ...(note === undefined ? {} : { validationNotes: note }) })
        .where(inArray(f.id, valid))
        .returning({ id: f.id }),
    );
    return rows.length;
  }

  /** Takes a batch and marks it processed in the same transaction: at most once per row. */
  async claimBatch(
    input: z.input<typeof batchInput> = {},
  ): Promise<RecommendationFeedbackSelect[]> {
    return this.processBatch(input, async () => {});
  }

  /**
   * Takes a batch, hands it to `work`, and marks it processed only if `work` succeeds; if it
   * throws, the rows are released for another worker: at least once per row.
   */
  async processBatch(
    input: z.input<typeof batchInput>,
    work: (rows: RecommendationFeedbackSelect[]) => Promise<void>,
  ): Promise<RecommendationFeedbackSelect[]> {
    const { limit } = validate(batchInput, input);
    const f = recommendationFeedback;
    return this.run(async (tx) => {
      const rows = await tx
        .select()
        .from(f)
        .where(and(eq(f.isProcessed, false), eq(f.isValidated, true)))
        .orderBy(asc(f.createdAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return [];
      await work(rows);
      return tx
        .update(f)
        .set({ isProcessed: true, processingTimestamp: sql`now()` })
        .where(
          inArray(
            f.id,
            rows.map((r) => r.id),
          ),
        )
        .returning();
    });
  }
}
