import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { affiliateClicks } from './affiliate-clicks';
import { createdAt, id, money, optionalTime } from './columns';
import { serviceRoleManages } from './policies';
import { checksFor, type TableRules } from './rules';

export const conversionCorrectionRules = {
  access: { group: 'platform' },
  lengths: { previousOrderId: 200, newOrderId: 200, reason: 1000, correctedBy: 200 },
  ranges: { previousCommission: { min: 0 }, newCommission: { min: 0 } },
} as const satisfies TableRules;

/**
 * The audit trail of corrections to a converted click (a network revising its commission, a
 * mistyped order): what it was, what it became, why and by whom. A converted click changes only
 * through a correction, which writes its row here in the same transaction.
 */
export const conversionCorrections = pgTable(
  'conversion_corrections',
  {
    id: id(),
    // Audit history outlives nothing: a click with corrections cannot be deleted.
    clickId: uuid('click_id')
      .notNull()
      .references(() => affiliateClicks.id),
    previousOrderId: text('previous_order_id'),
    newOrderId: text('new_order_id'),
    previousCommission: money('previous_commission'),
    newCommission: money('new_commission'),
    previousConversionTimestamp: optionalTime('previous_conversion_timestamp'),
    newConversionTimestamp: optionalTime('new_conversion_timestamp'),
    reason: text('reason').notNull(),
    correctedBy: text('corrected_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    ...checksFor('conversion_corrections', t, conversionCorrectionRules),
    index('idx_conversion_corrections_click_id').on(t.clickId),
    serviceRoleManages('conversion_corrections'),
  ],
).enableRLS();
