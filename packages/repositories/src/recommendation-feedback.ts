import {
  type Identity,
  queryRows,
  type RecommendationFeedbackInsert,
  type RecommendationFeedbackSelect,
} from '@aclue/db';
import { recommendationFeedback, type recommendationFeedbackRules } from '@aclue/db/schema';
import { AccessDeniedError, NotFoundError, refusedAsNotFound } from './errors';
import type { Runner } from './scope';
import { insertReturningIds, newestFirst, type Page } from './sql';
import { type CallerInput, validateInsert } from './write';

/** A user's reaction to one of its recommendations; training columns are the service role's. */
export type FeedbackInput = CallerInput<
  RecommendationFeedbackInsert,
  typeof recommendationFeedbackRules.access
>;

/** Recommendation feedback: written by the user it belongs to, consumed by training. */
export class RecommendationFeedbackRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
  ) {}

  /**
   * Records feedback on one of the caller's recommendations, about the product it recommended
   * while that product is active; anything else reads as not found (RLS refuses it). It starts
   * unvalidated: training takes it only after moderation. Training and moderation fields are
   * refused by validation (and by column privileges behind it).
   */
  async recordFeedback(input: FeedbackInput): Promise<{ id: string }> {
    if (this.identity.role !== 'authenticated') {
      throw new AccessDeniedError('feedback is given by a signed-in user: use asUser(userId)');
    }
    const row = validateInsert('recommendationFeedback', this.identity, input, {
      fixed: { userId: this.identity.userId },
    });
    const [inserted] = await this.run((tx) =>
      queryRows<{ id: string }>(tx, insertReturningIds(recommendationFeedback, [row])),
    ).catch(
      refusedAsNotFound(
        `no recommendation ${String(row.recommendationId)} of the caller for that active product`,
        { foreignKey: true },
      ),
    );
    if (!inserted) throw new NotFoundError('the feedback was not written');
    return inserted;
  }

  /** The caller's feedback, newest first, a keyset page at a time. */
  async listMine({
    limit = 50,
    after,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<RecommendationFeedbackSelect>> {
    return this.run(myFeedback({ limit, after }), { readOnly: true });
  }
}

const myFeedback = newestFirst(
  recommendationFeedback,
  recommendationFeedback.createdAt,
  recommendationFeedback.id,
);
