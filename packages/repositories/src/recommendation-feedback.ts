import { randomUUID } from 'node:crypto';
import {
  type Identity,
  type RecommendationFeedbackInsert,
  type RecommendationFeedbackSelect,
  recommendationFeedback,
  validation,
} from '@aclue/db';
import { desc } from 'drizzle-orm';
import { AccessDeniedError, validateWrite } from './errors';
import type { Runner } from './scope';
import { after, insertProvided, type Page, toPage } from './sql';

/** A user's reaction to one of its recommendations; training columns are the service role's. */
export type FeedbackInput = Omit<
  RecommendationFeedbackInsert,
  | 'id'
  | 'userId'
  | 'createdAt'
  | 'trainingWeight'
  | 'isProcessed'
  | 'processingTimestamp'
  | 'isValidated'
  | 'validationNotes'
>;

const feedbackFields = [
  'recommendationId',
  'productId',
  'feedbackType',
  'feedbackAction',
  'feedbackValue',
  'rating',
  'comment',
  'feedbackTags',
  'timeToActionSeconds',
  'dwellTimeSeconds',
  'clickDepth',
  'scrollDepth',
  'feedbackSource',
  'sessionId',
  'positionInList',
  'modelVersion',
  'originalConfidenceScore',
] as const;

/** Recommendation feedback: written by the user it belongs to, consumed by training. */
export class RecommendationFeedbackRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
  ) {}

  /**
   * Records feedback on one of the caller's recommendations. Feedback on someone else's
   * recommendation is refused by RLS; training and moderation fields are refused by validation
   * (and by column privileges behind it).
   */
  async recordFeedback(input: FeedbackInput): Promise<{ id: string }> {
    if (this.identity.role !== 'authenticated') {
      throw new AccessDeniedError('feedback is given by a signed-in user: use asUser(userId)');
    }
    const id = randomUUID();
    const row = validateWrite(
      validation.recommendationFeedback.insert,
      { ...input },
      {
        allowed: feedbackFields,
        fixed: { id, userId: this.identity.userId },
        why: 'is set by the service role (training and moderation) or from the caller identity',
      },
    );
    await this.run((tx) => tx.execute(insertProvided(recommendationFeedback, [row])));
    return { id };
  }

  /** The caller's feedback, newest first, a keyset page at a time. */
  async listMine({
    limit = 50,
    after: cursor,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<RecommendationFeedbackSelect>> {
    const { createdAt, id } = recommendationFeedback;
    const rows = await this.run((tx) =>
      tx
        .select()
        .from(recommendationFeedback)
        .where(after(recommendationFeedback, createdAt, id, cursor))
        .orderBy(desc(createdAt), desc(id))
        .limit(limit + 1),
    );
    return toPage(rows, limit);
  }
}
