import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import * as s from '../schema';
import { literal } from './sql-text';

export interface TableComment {
  table: string;
  comment: string;
  /** Column name (SQL) → comment. */
  columns: Record<string, string>;
}

/** Declares a table's comments, keyed by the TypeScript column names so a rename cannot orphan one. */
function describe<T extends PgTable>(
  table: T,
  comment: string,
  columns: Partial<Record<keyof T['_']['columns'], string>> = {},
): TableComment {
  const byKey = table as unknown as Record<string, { name: string }>;
  return {
    table: getTableConfig(table).name,
    comment,
    columns: Object.fromEntries(
      Object.entries(columns).map(([key, text]) => {
        const column = byKey[key];
        if (!column) throw new Error(`comment names unknown column ${key}`);
        return [column.name, text as string];
      }),
    ),
  };
}

/** Table and column comments: they show in `psql \d+` and in Supabase's table editor. */
export const tableComments: readonly TableComment[] = [
  describe(s.categories, 'Gift categories, a tree via parent_id. Anyone reads active rows.'),
  describe(
    s.products,
    'The gift catalogue. Anyone reads active products; the service role writes.',
    {
      title: 'Searchable by similarity through a trigram index.',
      commissionRate: 'Share of the sale paid by the affiliate network, 0..1.',
    },
  ),
  describe(s.swipeSessions, 'A gift-finding session of swipes. Owner-only.'),
  describe(s.swipeInteractions, 'One swipe on one product; input of the preference job.', {
    swipeDirection: 'left = dislike, right = like, up = super like, down = skip.',
  }),
  describe(
    s.recommendations,
    'Products the recommender proposed to a user. The owner reads; the service role writes.',
  ),
  describe(
    s.affiliateClicks,
    'Clicks on affiliate links and their conversions: revenue attribution.',
    {
      userId: 'Signed-in user, or NULL for an anonymous visitor (then see anonymous_id).',
      anonymousId:
        'Browser-generated id of a visitor before registration; stitched to user_id later.',
      productId: 'SET NULL on product deletion so revenue history survives.',
      orderId: "The network's order reference; unique per network.",
      expectedCommission: 'Commission estimated at click time.',
      actualCommission: 'Commission the network reported; only on converted clicks.',
      ipAddress: 'Personal data: scrubbed on erasure.',
      userAgent: 'Personal data: scrubbed on erasure.',
    },
  ),
  describe(s.userPreferences, 'One row per user, computed by the preference job.', {
    totalSwipes: 'Generated: right_swipes + left_swipes + super_likes.',
    engagementRate:
      'Generated: (right_swipes + super_likes) / total_swipes, 4 decimals, 0 when no swipes.',
    likedBrands: 'Set by the user.',
    dislikedBrands: 'Set by the user.',
    priceRange: 'Set by the user.',
    priceSensitivity: 'Set by the user, 0..1.',
    dataQualityScore: 'How much input the last calculation had, 0..1.',
    calculationVersion: 'Version of the preference job that wrote the row.',
  }),
  describe(s.sessionAnalytics, 'One row per browser session, anonymous or signed in.', {
    sessionId: 'Client session key; unique.',
    affiliateClicks: 'Incremented atomically with each affiliate click of the session.',
    isBounce: 'True when the session ended after a single page.',
  }),
  describe(s.productViews, 'Product view events (immutable): engagement and CTR analytics.', {
    viewPosition: 'Position in the list the product was shown in, from 1.',
    interactionType: 'What the viewer did: impression, click, detail_view, ...',
  }),
  describe(
    s.recommendationFeedback,
    'Reactions to recommendations: training data for the recommender.',
    {
      feedbackValue: 'Signed strength of the reaction, -1..1.',
      trainingWeight: 'Set by the service role: weight of the row in training.',
      isProcessed: 'Set by the service role when a training worker consumed the row.',
      isValidated: 'Set by the service role: rows failing moderation are excluded from training.',
    },
  ),
];

export function commentStatements({ table, comment, columns }: TableComment): string[] {
  return [
    `COMMENT ON TABLE public.${table} IS ${literal(comment)};`,
    ...Object.entries(columns).map(
      ([column, text]) => `COMMENT ON COLUMN public.${table}.${column} IS ${literal(text)};`,
    ),
  ];
}
