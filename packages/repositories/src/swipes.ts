import {
  type Identity,
  queryRows,
  type SwipeInteractionInsert,
  type SwipeSessionInsert,
  type SwipeSessionSelect,
} from '@aclue/db';
import {
  type swipeInteractionRules,
  swipeInteractions,
  type swipeSessionRules,
  swipeSessions,
} from '@aclue/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { AccessDeniedError, NotFoundError, refusedAsNotFound, validate } from './errors';
import type { Runner } from './scope';
import { insertReturningIds } from './sql';
import { type CallerInput, validateInsert } from './write';

export type SwipeSessionInput = Partial<
  CallerInput<SwipeSessionInsert, typeof swipeSessionRules.access>
>;
export type SwipeInput = CallerInput<SwipeInteractionInsert, typeof swipeInteractionRules.access>;

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
    const row = validateInsert('swipeSessions', this.identity, input, {
      fixed: { userId: this.userId },
    });
    return this.insertOne(swipeSessions, row);
  }

  /** Records one swipe in one of the caller's sessions (`up` is a super like). */
  async recordSwipe(input: SwipeInput): Promise<{ id: string }> {
    const row = validateInsert('swipeInteractions', this.identity, input, {
      fixed: { userId: this.userId },
    });
    // The (session, user) key: a missing session and another user's read the same.
    return this.insertOne(swipeInteractions, row).catch(
      refusedAsNotFound(`no swipe session ${String(row.sessionId)} of the caller`, {
        foreignKey: 'swipe_interactions_session_owner_fk',
      }),
    );
  }

  async completeSwipeSession(sessionId: string): Promise<SwipeSessionSelect> {
    const id = validate(z.uuid('sessionId must be a swipe session id'), sessionId);
    const [row] = await this.run((tx) =>
      tx
        .update(swipeSessions)
        .set({ isCompleted: true, completedAt: sql`now()` })
        .where(eq(swipeSessions.id, id))
        .returning(),
    );
    if (!row) throw new NotFoundError(`no swipe session ${id} of the caller`);
    return row;
  }

  private async insertOne(table: PgTable, row: Record<string, unknown>): Promise<{ id: string }> {
    const [inserted] = await this.run((tx) =>
      queryRows<{ id: string }>(tx, insertReturningIds(table, [row])),
    );
    if (!inserted) throw new NotFoundError('the row was not written');
    return inserted;
  }
}
