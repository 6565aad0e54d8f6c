import { randomUUID } from 'node:crypto';
import {
  type Identity,
  type SessionAnalyticsInsert,
  type SessionAnalyticsSelect,
  sessionAnalytics,
  validation,
} from '@aclue/db';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { NotFoundError, validate, validateWrite } from './errors';
import { ownedBy, ownerColumns } from './owner';
import { type Runner, switchIdentity } from './scope';
import { insertProvided } from './sql';

/** What a client reports when a browser session starts. */
export type SessionStart = Pick<SessionAnalyticsInsert, 'sessionId' | 'landingPage'> &
  Partial<
    Pick<
      SessionAnalyticsInsert,
      | 'startedAt'
      | 'deviceType'
      | 'browser'
      | 'operatingSystem'
      | 'screenResolution'
      | 'countryCode'
      | 'city'
      | 'timezone'
      | 'referrerUrl'
      | 'utmSource'
      | 'utmMedium'
      | 'utmCampaign'
      | 'utmContent'
      | 'utmTerm'
    >
  >;

const startFields = [
  'sessionId',
  'landingPage',
  'startedAt',
  'deviceType',
  'browser',
  'operatingSystem',
  'screenResolution',
  'countryCode',
  'city',
  'timezone',
  'referrerUrl',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmContent',
  'utmTerm',
] as const;

const counter = z.number().int().min(0, 'increments must be at least 0').default(0);
const touchInput = z
  .object({
    sessionId: z.string().min(1, 'sessionId is required'),
    page: z.string().min(1, 'page is required').optional(),
    clicks: counter,
    swipes: counter,
    productsViewed: counter,
    recommendationsViewed: counter,
  })
  .strict();
export type SessionTouch = z.input<typeof touchInput>;

const endInput = z
  .object({
    sessionId: z.string().min(1, 'sessionId is required'),
    endedAt: z.coerce.date().optional(),
    exitPage: z.string().optional(),
  })
  .strict();
export type SessionEnd = z.input<typeof endInput>;

/** Browser sessions: started by the visitor, kept current by the platform. */
export class SessionAnalyticsRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
  ) {}

  /** Opens a session row as the caller (anonymous or signed in). */
  async startSession(input: SessionStart): Promise<{ id: string; sessionId: string }> {
    const id = randomUUID();
    const row = validateWrite(
      validation.sessionAnalytics.insert,
      { ...input },
      {
        allowed: startFields,
        fixed: { id, ...ownerColumns(this.identity), pageSequence: [input.landingPage] },
        why: 'cannot be set when a session starts (it is derived or comes from the caller identity)',
      },
    );
    await this.run((tx) => tx.execute(insertProvided(sessionAnalytics, [row])));
    return { id, sessionId: row.sessionId };
  }

  /**
   * Records activity: the page joins the sequence and becomes the exit page, counters grow by the
   * given increments, all in one atomic UPDATE. Only the session's own visitor or user may touch it.
   */
  async touchSession(input: SessionTouch): Promise<SessionAnalyticsSelect> {
    const t = validate(touchInput, input);
    const s = sessionAnalytics;
    const set: Record<string, SQL> = {
      lastActivityAt: sql`now()`,
      totalClicks: sql`${s.totalClicks} + ${t.clicks}`,
      totalSwipes: sql`${s.totalSwipes} + ${t.swipes}`,
      productsViewed: sql`${s.productsViewed} + ${t.productsViewed}`,
      recommendationsViewed: sql`${s.recommendationsViewed} + ${t.recommendationsViewed}`,
    };
    if (t.page) {
      set.pageSequence = sql`array_append(${s.pageSequence}, ${t.page}::text)`;
      set.pagesViewed = sql`${s.pagesViewed} + 1`;
      set.exitPage = sql`${t.page}::text`;
    }
    return this.updateOwn(t.sessionId, set);
  }

  /** Closes a session: duration and bounce are derived from what was recorded. */
  async endSession(input: SessionEnd): Promise<SessionAnalyticsSelect> {
    const e = validate(endInput, input);
    const s = sessionAnalytics;
    const endedAt = e.endedAt ? sql`${e.endedAt.toISOString()}::timestamptz` : sql`now()`;
    return this.updateOwn(e.sessionId, {
      endedAt,
      durationSeconds: sql`greatest(0, floor(extract(epoch FROM ${endedAt} - ${s.startedAt})))::int`,
      isBounce: sql`${s.pagesViewed} <= 1`,
      isActive: sql`false`,
      ...(e.exitPage ? { exitPage: sql`${e.exitPage}::text` } : {}),
    });
  }

  /** The caller's session by its key; a session the caller may not see is not found. */
  async findBySessionId(sessionId: string): Promise<SessionAnalyticsSelect> {
    const [row] = await this.run((tx) =>
      tx.select().from(sessionAnalytics).where(eq(sessionAnalytics.sessionId, sessionId)),
    );
    if (!row) throw new NotFoundError(`no session ${sessionId}`);
    return row;
  }

  /**
   * Sessions are platform records: visitors hold no UPDATE privilege, so the update runs with the
   * service role, limited here to the session the caller owns.
   */
  private updateOwn(sessionId: string, set: Record<string, SQL>): Promise<SessionAnalyticsSelect> {
    const s = sessionAnalytics;
    const owned = ownedBy(this.identity, s.userId, s.anonymousId);
    return this.run(async (tx) => {
      const [row] = await switchIdentity(tx, { role: 'service_role' }, this.identity, () =>
        tx
          .update(s)
          .set(set)
          .where(and(eq(s.sessionId, sessionId), owned))
          .returning(),
      );
      if (!row) throw new NotFoundError(`no session ${sessionId} of the caller`);
      return row;
    });
  }
}
