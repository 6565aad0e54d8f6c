import {
  affiliateClicks,
  productViews,
  queryRows,
  recommendationFeedback,
  recommendations,
  sessionAnalytics,
  swipeInteractions,
  swipeSessions,
  userPreferences,
} from '@aclue/db';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { validate } from './errors';
import { type Runner, switchIdentity } from './scope';

// auth.users is Supabase Auth's: the API roles cannot read or delete it, the connection's role can.
const OWNER = { role: 'owner' } as const;
const SERVICE = { role: 'service_role' } as const;

const linkInput = z.object({ anonymousId: z.string().min(1), userId: z.uuid() });

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
}

const json = <T>(rows: T[]) => JSON.parse(JSON.stringify(rows)) as unknown[];

/** Identity stitching and the GDPR rights of access and erasure (service role). */
export class PrivacyRepository {
  constructor(private readonly run: Runner) {}

  /**
   * Attaches a visitor's pre-registration history to the account it created: its clicks and
   * sessions (by anonymous id) and the views of those sessions. Rows already owned are untouched.
   */
  async linkAnonymousHistory(input: z.input<typeof linkInput>) {
    const { anonymousId, userId } = validate(linkInput, input);
    return this.run(async (tx) => {
      const clicks = await tx
        .update(affiliateClicks)
        .set({ userId })
        .where(and(eq(affiliateClicks.anonymousId, anonymousId), isNull(affiliateClicks.userId)))
        .returning({ id: affiliateClicks.id });
      const sessions = await tx
        .update(sessionAnalytics)
        .set({ userId })
        .where(and(eq(sessionAnalytics.anonymousId, anonymousId), isNull(sessionAnalytics.userId)))
        .returning({ sessionId: sessionAnalytics.sessionId });
      const views = sessions.length
        ? await tx
            .update(productViews)
            .set({ userId })
            .where(
              and(
                isNull(productViews.userId),
                inArray(
                  productViews.sessionId,
                  sessions.map((s) => s.sessionId),
                ),
              ),
            )
            .returning({ id: productViews.id })
        : [];
      return {
        affiliateClicks: clicks.length,
        sessions: sessions.length,
        productViews: views.length,
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
        affiliateClicks: json(
          await tx.select().from(affiliateClicks).where(eq(affiliateClicks.userId, userId)),
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
   * analytics keep — user id, anonymous id, IP address and user agent scrubbed, including the rows
   * of the visitor they were before signing up — and deletes the account row itself.
   */
  async eraseUser(userId: string): Promise<ErasureReport> {
    validate(z.uuid(), userId);
    return this.run(async (tx) => {
      const anonymousIds = (
        await queryRows<{ id: string }>(
          tx,
          sql`SELECT anonymous_id AS id FROM affiliate_clicks WHERE user_id = ${userId} AND anonymous_id IS NOT NULL
              UNION SELECT anonymous_id FROM session_analytics WHERE user_id = ${userId} AND anonymous_id IS NOT NULL`,
        )
      ).map((r) => r.id);
      const theirs = (userColumn: AnyPgColumn, anonymousColumn: AnyPgColumn) =>
        anonymousIds.length
          ? or(eq(userColumn, userId), inArray(anonymousColumn, anonymousIds))
          : eq(userColumn, userId);
      const count = (rows: unknown[]) => rows.length;
      // Children before parents: feedback and swipes reference recommendations and sessions.
      const owned = [
        ['feedback', recommendationFeedback],
        ['swipeInteractions', swipeInteractions],
        ['recommendations', recommendations],
        ['swipeSessions', swipeSessions],
        ['preferences', userPreferences],
      ] as const;
      const deleted = { account: 0 } as ErasureReport['deleted'];
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
            .where(theirs(affiliateClicks.userId, affiliateClicks.anonymousId))
            .returning({ id: affiliateClicks.id }),
        ),
        sessions: count(
          await tx
            .update(sessionAnalytics)
            .set({ userId: null, anonymousId: null, city: null, timezone: null, referrerUrl: null })
            .where(theirs(sessionAnalytics.userId, sessionAnalytics.anonymousId))
            .returning({ id: sessionAnalytics.id }),
        ),
        productViews: count(
          await tx
            .update(productViews)
            .set({ userId: null })
            .where(eq(productViews.userId, userId))
            .returning({ id: productViews.id }),
        ),
      };
      deleted.account = count(
        await switchIdentity(tx, OWNER, SERVICE, () =>
          queryRows(tx, sql`DELETE FROM auth.users WHERE id = ${userId} RETURNING id`),
        ),
      );
      return { userId, deleted, anonymised };
    });
  }
}
