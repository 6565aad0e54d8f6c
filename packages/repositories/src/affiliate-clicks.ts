import { randomUUID } from 'node:crypto';
import {
  type AffiliateClickInsert,
  type AffiliateClickSelect,
  affiliateClicks,
  type Identity,
  sessionAnalytics,
  validation,
} from '@aclue/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { NotFoundError, validate, validateWrite } from './errors';
import { ownedBy, ownerColumns } from './owner';
import { type Runner, switchIdentity } from './scope';
import { after, insertProvided, type Page, toPage } from './sql';

/** What a visitor or user says about a click; identity and conversion fields are not theirs. */
export type ClickInput = Omit<
  AffiliateClickInsert,
  | 'id'
  | 'userId'
  | 'anonymousId'
  | 'isConverted'
  | 'conversionTimestamp'
  | 'actualCommission'
  | 'orderId'
  | 'createdAt'
  | 'updatedAt'
>;

const clickFields = [
  'productId',
  'sessionId',
  'clickTimestamp',
  'sourcePage',
  'deviceType',
  'affiliateNetwork',
  'affiliateUrl',
  'commissionRate',
  'expectedCommission',
  'userAgent',
  'ipAddress',
  'referrerUrl',
  'utmSource',
  'utmMedium',
  'utmCampaign',
] as const;

const conversionInput = z.object({
  clickId: z.uuid(),
  orderId: z.string().min(1, 'orderId is required'),
  actualCommission: z.number().min(0, 'actual_commission must be at least 0').optional(),
  convertedAt: z.coerce.date().optional(),
});
export type ConversionInput = z.input<typeof conversionInput>;

/** Affiliate clicks and their conversions: the revenue record. */
export class AffiliateClickRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
  ) {}

  /**
   * Records a click as the caller (anonymous visitor or signed-in user) and, in the same
   * transaction, adds one to the caller's session's `affiliate_clicks` counter with `x = x + 1`,
   * so concurrent clicks never lose a count.
   */
  async recordClick(input: ClickInput): Promise<{ id: string; sessionCounted: boolean }> {
    const id = randomUUID();
    const row = validateWrite(
      validation.affiliateClicks.insert,
      { ...input },
      {
        allowed: clickFields,
        fixed: { id, ...ownerColumns(this.identity) },
        why: 'cannot be set when recording a click (it comes from the caller identity or from recordConversion)',
      },
    );
    return this.run(async (tx) => {
      // No RETURNING: an anonymous visitor may insert a click but not read it back.
      await tx.execute(insertProvided(affiliateClicks, [row]));
      const counted = await switchIdentity(tx, { role: 'service_role' }, this.identity, () =>
        tx
          .update(sessionAnalytics)
          .set({
            affiliateClicks: sql`${sessionAnalytics.affiliateClicks} + 1`,
            totalClicks: sql`${sessionAnalytics.totalClicks} + 1`,
            lastActivityAt: sql`now()`,
          })
          .where(
            and(
              eq(sessionAnalytics.sessionId, row.sessionId),
              ownedBy(this.identity, sessionAnalytics.userId, sessionAnalytics.anonymousId),
            ),
          )
          .returning({ id: sessionAnalytics.id }),
      );
      return { id, sessionCounted: counted.length > 0 };
    });
  }

  /**
   * Records the conversion a network reported for a click (service role). Idempotent per network
   * and order id: a repeated report changes nothing and says so. A conversion dated before its
   * click is refused by the database's check.
   */
  async recordConversion(
    input: ConversionInput,
  ): Promise<{ click: AffiliateClickSelect; alreadyRecorded: boolean }> {
    const { clickId, orderId, actualCommission, convertedAt } = validate(conversionInput, input);
    return this.run(async (tx) => {
      const [click] = await tx
        .select()
        .from(affiliateClicks)
        .where(eq(affiliateClicks.id, clickId))
        .for('update');
      if (!click) throw new NotFoundError(`no affiliate click ${clickId}`);
      const [recorded] = await tx
        .select()
        .from(affiliateClicks)
        .where(
          and(
            eq(affiliateClicks.affiliateNetwork, click.affiliateNetwork),
            eq(affiliateClicks.orderId, orderId),
          ),
        );
      if (recorded) return { click: recorded, alreadyRecorded: true };
      const [updated] = await tx
        .update(affiliateClicks)
        .set({
          isConverted: true,
          orderId,
          conversionTimestamp: convertedAt ?? sql`now()`,
          actualCommission: actualCommission ?? null,
        })
        .where(eq(affiliateClicks.id, clickId))
        .returning();
      if (!updated) throw new NotFoundError(`no affiliate click ${clickId}`);
      return { click: updated, alreadyRecorded: false };
    });
  }

  /** One click the caller may see; anything else is not found. */
  async findById(id: string): Promise<AffiliateClickSelect> {
    const [click] = await this.run((tx) =>
      tx
        .select()
        .from(affiliateClicks)
        .where(eq(affiliateClicks.id, validate(z.uuid(), id))),
    );
    if (!click) throw new NotFoundError(`no affiliate click ${id}`);
    return click;
  }

  /** The caller's clicks, newest first, a keyset page at a time (RLS limits them to the caller). */
  async listMine({
    limit = 50,
    after: cursor,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<AffiliateClickSelect>> {
    const { clickTimestamp, id } = affiliateClicks;
    const rows = await this.run((tx) =>
      tx
        .select()
        .from(affiliateClicks)
        .where(after(affiliateClicks, clickTimestamp, id, cursor))
        .orderBy(desc(clickTimestamp), desc(id))
        .limit(limit + 1),
    );
    return toPage(rows, limit);
  }
}
