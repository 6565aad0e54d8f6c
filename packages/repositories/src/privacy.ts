import { queryRows, readableColumns } from '@aclue/db';
import {
  affiliateClicks,
  productViews,
  recommendationFeedback,
  recommendations,
  sessionAnalytics,
  swipeInteractions,
  swipeSessions,
  userPreferences,
} from '@aclue/db/schema';
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { CallerVerifier } from './auth/callers';
import { validate } from './errors';
import { type Runner, switchIdentity } from './scope';

// auth.users is Supabase Auth's: the API roles cannot read or delete it, the connection's role can.
const OWNER = { role: 'owner' } as const;
const SERVICE = { role: 'service_role' } as const;

const linkInput = z.strictObject({
  userId: z.uuid('userId must be the UUID of a user'),
  proof: z.string("proof must be the anonymous id proof or the anonymous user's token").min(1),
});

/** Everything stored about one user, as plain JSON-ready data (GDPR access). */
export interface UserDataExport {
  userId: string;
  exportedAt: string;
  account: Record<string, unknown> | null;
  preferences: unknown[];
  swipeSessions: unknown[];
  swipeInteractions: unknown[];
  recommendations: unknown[];
  feedback: unknown[];
  affiliateClicks: unknown[];
  sessions: unknown[];
  productViews: unknown[];
}

export interface ErasureReport {
  userId: string;
  deleted: Record<
    | 'preferences'
    | 'swipeSessions'
    | 'swipeInteractions'
    | 'recommendations'
    | 'feedback'
    | 'account',
    number
  >;
  anonymised: Record<'affiliateClicks' | 'sessions' | 'productViews', number>;
  /**
   * Rows of others that only named something erased (a view of one of the user's
   * recommendations, a recommendation made in one of its swipe sessions): the reference cleared,
   * as the foreign key would, and counted.
   */
  unlinked: Record<'productViews' | 'recommendations', number>;
}

const json = <T>(rows: T[]) => JSON.parse(JSON.stringify(rows)) as unknown[];

/** Identity stitching and the GDPR rights of access and erasure (service role). */
export class PrivacyRepository {
  constructor(
    private readonly run: Runner,
    private readonly callers: CallerVerifier,
  ) {}

  /**
   * Attaches a visitor's pre-registration history to the account it created — only with a proof
   * that the user was that visitor: the anonymous id proof this server issued it, or the token of
   * the Supabase anonymous user it signed in as. Moves only rows that carry that anonymous id and
   * no user (clicks, sessions) and the user-less views inside those sessions; for an anonymous
   * user, its clicks, sessions and views. Other visitors' rows and owned rows are never touched.
   */
  async linkAnonymousHistory(input: z.input<typeof linkInput>) {
    const { userId, proof } = validate(linkInput, input);
    const from = await this.callers.historyOwner(proof);
    if ('anonymousUserId' in from && from.anonymousUserId === userId) {
      return { affiliateClicks: 0, sessions: 0, productViews: 0 };
    }
    const carriesHistory = (user: AnyPgColumn, anonymous: AnyPgColumn) =>
      'anonymousId' in from
        ? and(eq(anonymous, from.anonymousId), isNull(user))
        : eq(user, from.anonymousUserId);
    return this.run(async (tx) => {
      const clicks = await tx
        .update(affiliateClicks)
        .set({ userId })
        .where(carriesHistory(affiliateClicks.userId, affiliateClicks.anonymousId))
        .returning({ id: affiliateClicks.id });
      const sessions = await tx
        .update(sessionAnalytics)
        .set({ userId })
        .where(carriesHistory(sessionAnalytics.userId, sessionAnalytics.anonymousId))
        .returning({ sessionId: sessionAnalytics.sessionId });
      const views =
        'anonymousId' in from
          ? sessions.length
            ? and(
                isNull(productViews.userId),
                inArray(
                  productViews.sessionId,
                  sessions.map((s) => s.sessionId),
                ),
              )
            : undefined
          : eq(productViews.userId, from.anonymousUserId);
      return {
        affiliateClicks: clicks.length,
        sessions: sessions.length,
        productViews: views
          ? (
              await tx
                .update(productViews)
                .set({ userId })
                .where(views)
                .returning({ id: productViews.id })
            ).length
          : 0,
      };
    });
  }

  /** Every row about the user, from every table (GDPR right of access). */
  async exportUserData(userId: string): Promise<UserDataExport> {
    validate(z.uuid(), userId);
    return this.run(async (tx) => {
      const [account] = await switchIdentity(tx, OWNER, SERVICE, () =>
        queryRows<Record<string, unknown>>(
          tx,
          sql`SELECT id, email, created_at FROM auth.users WHERE id = ${userId}`,
        ),
      );
      return {
        userId,
        exportedAt: new Date().toISOString(),
        account: account ? (json([account])[0] as Record<string, unknown>) : null,
        preferences: json(
          await tx.select().from(userPreferences).where(eq(userPreferences.userId, userId)),
        ),
        swipeSessions: json(
          await tx.select().from(swipeSessions).where(eq(swipeSessions.userId, userId)),
        ),
        swipeInteractions: json(
          await tx.select().from(swipeInteractions).where(eq(swipeInteractions.userId, userId)),
        ),
        recommendations: json(
          await tx.select().from(recommendations).where(eq(recommendations.userId, userId)),
        ),
        feedback: json(
          await tx
            .select()
            .from(recommendationFeedback)
            .where(eq(recommendationFeedback.userId, userId)),
        ),
        // The person's clicks, not what the business earned on them (commission, order).
        affiliateClicks: json(
          await tx
            .select(readableColumns(affiliateClicks))
            .from(affiliateClicks)
            .where(eq(affiliateClicks.userId, userId)),
        ),
        sessions: json(
          await tx.select().from(sessionAnalytics).where(eq(sessionAnalytics.userId, userId)),
        ),
        productViews: json(
          await tx.select().from(productViews).where(eq(productViews.userId, userId)),
        ),
      };
    });
  }

  /**
   * Erases a user (GDPR right to erasure), in one transaction: deletes what is theirs alone
   * (preferences, swipes, recommendations, feedback), anonymises the events that revenue and
   * analytics keep (user id, anonymous id, IP address, user agent, city, referrer scrubbed) and
   * deletes the account row. Only rows that carry the user's id are touched — never rows of
   * another account that once used the same browser. The report counts every row changed,
   * including what a foreign key would have changed on its own (others' views that named one of
   * the user's recommendations, feedback on them), so it matches the database row for row.
   */
  async eraseUser(userId: string): Promise<ErasureReport> {
    validate(z.uuid(), userId);
    return this.run(async (tx) => {
      const count = (rows: unknown[]) => rows.length;
      const theirRecommendations = tx
        .select({ id: recommendations.id })
        .from(recommendations)
        .where(eq(recommendations.userId, userId));
      // Rows of others that name what is about to be deleted: cleared here, where they are
      // counted, rather than by ON DELETE rules (or, for swipe sessions, refused by them).
      const unlinked = {
        productViews: count(
          await tx
            .update(productViews)
            .set({ recommendationId: null })
            .where(
              and(
                or(isNull(productViews.userId), ne(productViews.userId, userId)),
                inArray(productViews.recommendationId, theirRecommendations),
              ),
            )
            .returning({ id: productViews.id }),
        ),
        recommendations: count(
          await tx
            .update(recommendations)
            .set({ sessionId: null })
            .where(
              and(
                ne(recommendations.userId, userId),
                inArray(
                  recommendations.sessionId,
                  tx
                    .select({ id: swipeSessions.id })
                    .from(swipeSessions)
                    .where(eq(swipeSessions.userId, userId)),
                ),
              ),
            )
            .returning({ id: recommendations.id }),
        ),
      };
      const viewsAnonymised = count(
        await tx
          .update(productViews)
          .set({
            userId: null,
            recommendationId: sql`CASE WHEN ${inArray(productViews.recommendationId, theirRecommendations)} THEN NULL ELSE ${productViews.recommendationId} END`,
          })
          .where(eq(productViews.userId, userId))
          .returning({ id: productViews.id }),
      );
      const deleted = { account: 0 } as ErasureReport['deleted'];
      deleted.feedback = count(
        await tx
          .delete(recommendationFeedback)
          .where(
            or(
              eq(recommendationFeedback.userId, userId),
              inArray(recommendationFeedback.recommendationId, theirRecommendations),
            ),
          )
          .returning({ id: recommendationFeedback.id }),
      );
      // Children before parents: swipes reference swipe sessions, as recommendations may.
      const owned = [
        ['swipeInteractions', swipeInteractions],
        ['recommendations', recommendations],
        ['swipeSessions', swipeSessions],
        ['preferences', userPreferences],
      ] as const;
      for (const [name, table] of owned) {
        deleted[name] = count(
          await tx
            .delete(table)
            .where(eq(table.userId, userId))
            .returning({ userId: table.userId }),
        );
      }
      const anonymised = {
        affiliateClicks: count(
          await tx
            .update(affiliateClicks)
            .set({ userId: null, anonymousId: null, ipAddress: null, userAgent: null })
            .where(eq(affiliateClicks.userId, userId))
            .returning({ id: affiliateClicks.id }),
        ),
        sessions: count(
          await tx
            .update(sessionAnalytics)
            .set({ userId: null, anonymousId: null, city: null, timezone: null, referrerUrl: null })
            .where(eq(sessionAnalytics.userId, userId))
            .returning({ id: sessionAnalytics.id }),
        ),
        productViews: viewsAnonymised,
      };
      deleted.account = count(
        await switchIdentity(tx, OWNER, SERVICE, () =>
          queryRows(tx, sql`DELETE FROM auth.users WHERE id = ${userId} RETURNING id`),
        ),
      );
      return { userId, deleted, anonymised, unlinked };
    });
  }
}
