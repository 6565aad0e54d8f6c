import { queryRows } from '@aclue/db';
import { userPreferences } from '@aclue/db/schema';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { validate } from './errors';
import type { Runner } from './scope';

/** Written to `calculation_version`, so rows can be recalculated when the method changes. */
export const PREFERENCE_ALGORITHM_VERSION = 'v1.1';

/** How much one signal says about liking an item, in -1..1. */
const swipeWeight: Record<string, number> = { up: 1, right: 0.6, left: -0.6, down: 0 };
const viewWeight: Record<string, number> = {
  impression: 0,
  click: 0.2,
  detail_view: 0.2,
  share: 0.3,
  save: 0.3,
  add_to_wishlist: 0.4,
};

interface Signal {
  source: 'swipe' | 'feedback' | 'view';
  kind: string;
  value: number | null;
  category: string | null;
  brand: string | null;
  tags: string[] | null;
  price: number | null;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Mean signal per key mapped from -1..1 to 0..1, with how many signals back it. */
function scores(signals: { key: string | null; weight: number }[]) {
  const sums = new Map<string, { total: number; n: number }>();
  for (const { key, weight } of signals) {
    if (!key) continue;
    const entry = sums.get(key) ?? { total: 0, n: 0 };
    entry.total += weight;
    entry.n += 1;
    sums.set(key, entry);
  }
  const score: Record<string, number> = {};
  const confidence: Record<string, number> = {};
  for (const [key, { total, n }] of sums) {
    score[key] = round((total / n + 1) / 2, 4);
    confidence[key] = round(1 - 1 / (1 + n / 5), 4);
  }
  return { score, confidence };
}

const weightOf = (s: Signal) =>
  s.source === 'swipe'
    ? (swipeWeight[s.kind] ?? 0)
    : s.source === 'feedback'
      ? Math.max(-1, Math.min(1, s.value ?? 0))
      : (viewWeight[s.kind] ?? 0);

/** The figures of one user's preferences, from its signals: pure, so tests can reason about it. */
export function derivePreferences(signals: Signal[]) {
  const weighted = signals.map((s) => ({ ...s, weight: weightOf(s) }));
  const swipes = signals.filter((s) => s.source === 'swipe');
  const categories = scores(weighted.map((s) => ({ key: s.category, weight: s.weight })));
  const brands = scores(weighted.map((s) => ({ key: s.brand, weight: s.weight })));
  const styles = scores(
    weighted.flatMap((s) => (s.tags ?? []).map((key) => ({ key, weight: s.weight }))),
  );
  const liked = weighted
    .filter((s) => s.weight > 0 && s.price !== null)
    .map((s) => s.price as number);
  const inputs =
    swipes.length +
    signals.filter((s) => s.source === 'feedback').length +
    signals.filter((s) => s.source === 'view').length / 5;
  return {
    rightSwipes: swipes.filter((s) => s.kind === 'right').length,
    leftSwipes: swipes.filter((s) => s.kind === 'left').length,
    superLikes: swipes.filter((s) => s.kind === 'up').length,
    categoryPreferences: categories.score,
    categoryConfidence: categories.confidence,
    brandScores: brands.score,
    styleScores: styles.score,
    derivedPriceRange: liked.length
      ? {
          min: Math.min(...liked),
          max: Math.max(...liked),
          average: round(liked.reduce((a, b) => a + b, 0) / liked.length, 2),
        }
      : null,
    dataQualityScore: round(Math.min(1, inputs / 50), 2),
    confidenceLevel: round(1 - 1 / (1 + inputs / 20), 2),
  };
}

const staleInput = z.object({
  olderThan: z.coerce.date().optional(),
  batchSize: z.number().int().min(1).max(10_000).default(100),
  after: z.uuid().optional(),
});

export interface RecalculationProgress {
  processed: number;
  batches: number;
  /** Pass as `after` to resume where this run stopped. */
  lastUserId: string | null;
}

/** The preference job (service role). */
export class PreferenceJob {
  constructor(private readonly run: Runner) {}

  /**
   * Recomputes one user's preferences from its swipes, feedback and product views and upserts
   * the row. Hand-set fields (brands, price sensitivity, and a price range the user chose) are
   * left as the user set them; the derived price range goes to `ml_features` when they differ.
   */
  async calculatePreferences(userId: string) {
    validate(z.uuid(), userId);
    return this.run(async (tx) => {
      const signals = await queryRows<Signal>(
        tx,
        sql`
        SELECT 'swipe' AS source, si.swipe_direction AS kind, NULL::float8 AS value,
          coalesce(si.category_id, p.category_id)::text AS category, p.brand, p.tags,
          coalesce(p.price_min, p.price_max)::float8 AS price
        FROM swipe_interactions si JOIN products p ON p.id = si.product_id WHERE si.user_id = ${userId}
        UNION ALL
        SELECT 'feedback', f.feedback_action, f.feedback_value::float8, p.category_id::text, p.brand, p.tags,
          coalesce(p.price_min, p.price_max)::float8
        FROM recommendation_feedback f JOIN products p ON p.id = f.product_id WHERE f.user_id = ${userId}
        UNION ALL
        SELECT 'view', v.interaction_type, NULL, p.category_id::text, p.brand, p.tags,
          coalesce(p.price_min, p.price_max)::float8
        FROM product_views v JOIN products p ON p.id = v.product_id WHERE v.user_id = ${userId}`,
      );
      const { derivedPriceRange, ...figures } = derivePreferences(signals);
      const computed = {
        ...figures,
        mlFeatures: { derivedPriceRange, signals: signals.length },
        lastCalculated: sql`now()`,
        calculationVersion: PREFERENCE_ALGORITHM_VERSION,
      };
      const [row] = await tx
        .insert(userPreferences)
        .values({
          userId,
          ...computed,
          ...(derivedPriceRange ? { priceRange: derivedPriceRange } : {}),
        })
        .onConflictDoUpdate({
          target: userPreferences.userId,
          set: {
            ...computed,
            // The user's own price range wins; only an empty one is filled in.
            priceRange: sql`CASE WHEN ${userPreferences.priceRange} = '{}'::jsonb THEN excluded.price_range ELSE ${userPreferences.priceRange} END`,
          },
        })
        .returning();
      return row;
    });
  }

  /**
   * Recalculates, in batches, every user whose swipes, feedback or views changed since its row was
   * last calculated (or who has none, or whose row is older than `olderThan`). Each user commits on
   * its own, so an interrupted run resumes from `lastUserId` without redoing work.
   */
  async recalculateStale(
    input: z.input<typeof staleInput> = {},
    onProgress?: (progress: RecalculationProgress) => void,
  ): Promise<RecalculationProgress> {
    const { olderThan, batchSize, after } = validate(staleInput, input);
    const progress: RecalculationProgress = { processed: 0, batches: 0, lastUserId: after ?? null };
    for (;;) {
      const batch = await this.run((tx) =>
        queryRows<{ user_id: string }>(
          tx,
          sql`
          SELECT changes.user_id
          FROM (
            SELECT user_id, max(swipe_timestamp) AS changed FROM swipe_interactions GROUP BY user_id
            UNION ALL SELECT user_id, max(created_at) FROM recommendation_feedback GROUP BY user_id
            UNION ALL SELECT user_id, max(view_timestamp) FROM product_views WHERE user_id IS NOT NULL GROUP BY user_id
          ) changes
          LEFT JOIN user_preferences p ON p.user_id = changes.user_id
          WHERE ${progress.lastUserId}::uuid IS NULL OR changes.user_id > ${progress.lastUserId}::uuid
          GROUP BY changes.user_id, p.last_calculated
          HAVING p.last_calculated IS NULL OR max(changes.changed) > p.last_calculated
            OR p.last_calculated < ${olderThan?.toISOString() ?? null}::timestamptz
          ORDER BY changes.user_id
          LIMIT ${batchSize}`,
        ),
      );
      if (batch.length === 0) return progress;
      for (const { user_id } of batch) {
        await this.calculatePreferences(user_id);
        progress.processed += 1;
        progress.lastUserId = user_id;
      }
      progress.batches += 1;
      onProgress?.({ ...progress });
    }
  }
}
