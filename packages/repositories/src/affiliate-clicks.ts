import {
  type AffiliateClickInsert,
  type AffiliateClickSelect,
  type Executor,
  type Identity,
  isPlausibleTime,
  queryRows,
  readableColumns,
  storableString,
} from '@aclue/db';
import {
  type affiliateClickRules,
  affiliateClicks,
  conversionCorrections,
  productViews,
  sessionAnalytics,
} from '@aclue/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  AccessDeniedError,
  ConflictError,
  ConstraintViolationError,
  NotFoundError,
  refusedAsNotFound,
  validate,
} from './errors';
import { ownedBy, ownerColumns, viewerIs } from './owner';
import { type Runner, switchIdentity } from './scope';
import { insertReturningIds, newestFirst, type Page } from './sql';
import { reusable } from './statement';
import { type CallerInput, validateInsert } from './write';

/**
 * What a visitor or user says about a click (the fields the table's access rules let it give);
 * the service role may also date it. Ids, identity and conversion fields are not the caller's.
 */
export type ClickInput = CallerInput<AffiliateClickInsert, typeof affiliateClickRules.access>;

/**
 * A click as its visitor (and any reader of the caller's shape) sees it: without what it earned
 * and the order it became, which the API roles cannot select.
 */
export type CallerClick = Omit<
  AffiliateClickSelect,
  (typeof affiliateClickRules.access.hidden)[number]
>;

/** What `recordConversion` takes. */
export const conversionInput = z.object({
  clickId: z.uuid(),
  orderId: storableString('orderId', 200).min(1, 'orderId is required'),
  /** The network reporting it: a click of another network is not found (it cannot claim it). */
  network: storableString('network', 100).optional(),
  actualCommission: z
    .number()
    .min(0, 'actual_commission must be at least 0')
    .max(99_999_999.99, 'actual_commission must be at most 99999999.99')
    .optional(),
  convertedAt: z.coerce
    .date()
    .refine((d) => isPlausibleTime(d), 'convertedAt must be between 2000-01-01 and now')
    .optional(),
});
export type ConversionInput = z.input<typeof conversionInput>;

const correctionInput = z
  .object({
    clickId: z.uuid(),
    orderId: conversionInput.shape.orderId.optional(),
    actualCommission: conversionInput.shape.actualCommission,
    reason: storableString('reason', 1000).min(1, 'reason is required'),
    correctedBy: storableString('correctedBy', 200).min(1, 'correctedBy is required'),
  })
  .refine((c) => c.orderId !== undefined || c.actualCommission !== undefined, {
    message: 'a correction changes orderId, actualCommission or both',
  });
export type CorrectionInput = z.input<typeof correctionInput>;

/** The click, locked until the transaction ends: conversions of one click queue on it. */
async function lockClick(tx: Executor, clickId: string): Promise<AffiliateClickSelect> {
  const [click] = await tx
    .select()
    .from(affiliateClicks)
    .where(eq(affiliateClicks.id, clickId))
    .for('update');
  if (!click) throw new NotFoundError(`no affiliate click ${clickId}`);
  return click;
}

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
  async recordClick(
    input: ClickInput,
  ): Promise<{ id: string; sessionCounted: boolean; viewsMarked: number }> {
    const row = validateInsert('affiliateClicks', this.identity, input, {
      fixed: ownerColumns(this.identity),
    });
    return this.run(async (tx) => {
      const [inserted] = await queryRows<{ id: string }>(
        tx,
        insertReturningIds(affiliateClicks, [row]),
      );
      const id = inserted?.id ?? '';
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
      // The caller's views of the clicked product in that session led to the click: the
      // click-through figures count them as clicked.
      const marked = row.productId
        ? await switchIdentity(tx, { role: 'service_role' }, this.identity, () =>
            tx
              .update(productViews)
              .set({ hasClickedAffiliate: true })
              .where(
                and(
                  eq(productViews.sessionId, row.sessionId),
                  eq(productViews.productId, row.productId as string),
                  eq(productViews.hasClickedAffiliate, false),
                  viewerIs(this.identity, productViews.userId),
                ),
              )
              .returning({ id: productViews.id }),
          )
        : [];
      return { id, sessionCounted: counted.length > 0, viewsMarked: marked.length };
    }).catch(refusedAsNotFound(`no session ${String(row.sessionId)} of the caller`));
  }

  /**
   * Records the conversion a network reported for a click (service role). A click converts once,
   * which the database enforces too: the same order again returns the stored conversion as
   * `alreadyRecorded`; a different order for a converted click, or an order the network already
   * reported on another click, is a ConflictError and changes nothing. Concurrent reports queue
   * on the click's row lock, so exactly one wins and every other caller is told the truth.
   */
  async recordConversion(
    input: ConversionInput,
  ): Promise<{ click: AffiliateClickSelect; alreadyRecorded: boolean }> {
    const { clickId, orderId, network, actualCommission, convertedAt } = validate(
      conversionInput,
      input,
    );
    return this.run(async (tx) => {
      const click = await lockClick(tx, clickId);
      if (network !== undefined && click.affiliateNetwork !== network) {
        // Worded as for a click that does not exist: a network learns nothing of others' clicks.
        throw new NotFoundError(`no affiliate click ${clickId}`);
      }
      if (click.isConverted) {
        if (click.orderId === orderId) return { click, alreadyRecorded: true };
        throw new ConflictError(`affiliate click ${clickId} is already converted by another order`);
      }
      const [elsewhere] = await tx
        .select({ id: affiliateClicks.id })
        .from(affiliateClicks)
        .where(
          and(
            eq(affiliateClicks.affiliateNetwork, click.affiliateNetwork),
            eq(affiliateClicks.orderId, orderId),
          ),
        );
      if (elsewhere) {
        throw new ConflictError(
          `the order was already attributed to another ${click.affiliateNetwork} click`,
        );
      }
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
    }).catch((error: unknown) => {
      // Two clicks raced to claim one order: the unique key let one through.
      if (
        error instanceof ConstraintViolationError &&
        error.constraint === 'affiliate_clicks_network_order_key'
      ) {
        throw new ConflictError('the order was already attributed to another click');
      }
      throw error;
    });
  }

  /**
   * The one way to change a converted click (service role): a network revised the commission, or
   * the order id was mistyped. Writes the before and after, the reason and who corrected it to
   * `conversion_corrections` in the same transaction; the database's guard lets the change
   * through only inside it.
   */
  async correctConversion(
    input: CorrectionInput,
  ): Promise<{ click: AffiliateClickSelect; correctionId: string }> {
    if (this.identity.role !== 'service_role') {
      throw new AccessDeniedError('conversions are corrected by the platform: use asService()');
    }
    const { clickId, orderId, actualCommission, reason, correctedBy } = validate(
      correctionInput,
      input,
    );
    return this.run(async (tx) => {
      const click = await lockClick(tx, clickId);
      if (!click.isConverted) {
        throw new ConflictError(
          `affiliate click ${clickId} has no conversion to correct: record it with recordConversion`,
        );
      }
      await tx.execute(sql`SELECT set_config('aclue.conversion_correction', 'on', true)`);
      const [updated] = await tx
        .update(affiliateClicks)
        .set({
          ...(orderId === undefined ? {} : { orderId }),
          ...(actualCommission === undefined ? {} : { actualCommission }),
        })
        .where(eq(affiliateClicks.id, clickId))
        .returning();
      await tx.execute(sql`SELECT set_config('aclue.conversion_correction', 'off', true)`);
      const [audit] = await tx
        .insert(conversionCorrections)
        .values({
          clickId,
          previousOrderId: click.orderId,
          newOrderId: updated?.orderId ?? null,
          previousCommission: click.actualCommission,
          newCommission: updated?.actualCommission ?? null,
          previousConversionTimestamp: click.conversionTimestamp,
          newConversionTimestamp: updated?.conversionTimestamp ?? null,
          reason,
          correctedBy,
        })
        .returning({ id: conversionCorrections.id });
      if (!updated || !audit) throw new NotFoundError(`no affiliate click ${clickId}`);
      return { click: updated, correctionId: audit.id };
    });
  }

  /** One click the caller may see; anything else is not found. */
  async findById(id: string): Promise<CallerClick> {
    const valid = validate(z.uuid(), id);
    const [click] = await this.run((tx) => clickById(tx, { id: valid }), { readOnly: true });
    if (!click) throw new NotFoundError(`no affiliate click ${id}`);
    return click as unknown as CallerClick;
  }

  /** The caller's clicks, newest first, a keyset page at a time (RLS limits them to the caller). */
  async listMine({
    limit = 50,
    after,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<CallerClick>> {
    return this.run(myClicks({ limit, after }), { readOnly: true });
  }
}

const clickById = reusable(['id'], (tx, value) =>
  tx
    .select(readableColumns(affiliateClicks))
    .from(affiliateClicks)
    .where(eq(affiliateClicks.id, value('id'))),
);

const myClicks = newestFirst(affiliateClicks, affiliateClicks.clickTimestamp, affiliateClicks.id);
