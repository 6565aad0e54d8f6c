import { randomUUID } from 'node:crypto';
import {
  type Identity,
  type SwipeInteractionInsert,
  type SwipeSessionInsert,
  type SwipeSessionSelect,
  swipeInteractions,
  swipeSessions,
  validation,
} from '@aclue/db';
import { eq, sql } from 'drizzle-orm';
import { AccessDeniedError, NotFoundError, validateWrite } from './errors';
import type { Runner } from './scope';
import { insertProvided } from './sql';

export type SwipeSessionInput = Omit<
  SwipeSessionInsert,
  'id' | 'userId' | 'completedAt' | 'isCompleted'
>;
export type SwipeInput = Omit<SwipeInteractionInsert, 'id' | 'userId' | 'createdAt'>;

const sessionFields = [
  'sessionType',
  'occasion',
  'budgetMin',
  'budgetMax',
  'recipientRelationship',
  'recipientAgeRange',
  'recipientGender',
  'recipientInterests',
  'startedAt',
] as const;
const swipeFields = [
  'sessionId',
  'productId',
  'categoryId',
  'swipeDirection',
  'swipeTimestamp',
  'timeSpentSeconds',
  'preferenceStrength',
] as const;

/** Swipe sessions and swipes: owner-only, the input of the preference job. */
export class SwipeRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
  ) {}

  private get userId(): string {
    if (this.identity.role !== 'authenticated') {
      throw new AccessDeniedError('swipes belong to a signed-in user: use asUser(userId)');
    }
    return this.identity.userId;
  }

  async startSwipeSession(input: SwipeSessionInput = {}): Promise<{ id: string }> {
    const id = randomUUID();
    const row = validateWrite(
      validation.swipeSessions.insert,
      { ...input },
      {
        allowed: sessionFields,
        fixed: { id, userId: this.userId },
        why: 'cannot be set when a swipe session starts',
      },
    );
    await this.run((tx) => tx.execute(insertProvided(swipeSessions, [row])));
    return { id };
  }

  /** Records one swipe in one of the caller's sessions (`up` is a super like). */
  async recordSwipe(input: SwipeInput): Promise<{ id: string }> {
    const id = randomUUID();
    const row = validateWrite(
      validation.swipeInteractions.insert,
      { ...input },
      {
        allowed: swipeFields,
        fixed: { id, userId: this.userId },
        why: 'cannot be set when recording a swipe (it comes from the caller identity)',
      },
    );
    await this.run((tx) => tx.execute(insertProvided(swipeInteractions, [row])));
    return { id };
  }

  async completeSwipeSession(sessionId: string): Promise<SwipeSessionSelect> {
    const [row] = await this.run((tx) =>
      tx
        .update(swipeSessions)
        .set({ isCompleted: true, completedAt: sql`now()` })
        .where(eq(swipeSessions.id, sessionId))
        .returning(),
    );
    if (!row) throw new NotFoundError(`no swipe session ${sessionId} of the caller`);
    return row;
  }
}
