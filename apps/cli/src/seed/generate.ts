import type {
  AffiliateClickInsert,
  ProductInsert,
  ProductViewInsert,
  RecommendationFeedbackInsert,
  RecommendationInsert,
  SessionAnalyticsInsert,
  SwipeInteractionInsert,
  SwipeSessionInsert,
} from '@aclue/db';
import { deviceTypes, interactionTypes, swipeDirections, viewSources } from '@aclue/db/schema';
import type { Faker } from '@faker-js/faker';

/**
 * Synthetic traffic shaped like the platform's: many views per session, a click on about one view
 * in five, a conversion on about one click in twenty, a third of sessions anonymous. Every value
 * is drawn from `faker`, so a seed gives the same data every time, and every value respects the
 * schema's checks by construction (the database would refuse it otherwise).
 */

const networks = ['amazon', 'awin', 'rakuten', 'cj'] as const;
const pages = [
  '/',
  '/gifts',
  '/gifts/for-her',
  '/gifts/for-him',
  '/search',
  '/trending',
  '/categories',
];
const campaigns = ['winter-sale', 'mothers-day', 'newsletter', 'retargeting', null, null];

export const productRow = (f: Faker, categoryIds: string[]): ProductInsert => {
  const price = Number(f.commerce.price({ min: 5, max: 400 }));
  return {
    id: f.string.uuid(),
    title: f.commerce.productName(),
    description: f.commerce.productDescription(),
    priceMin: price,
    priceMax: Math.round(price * f.number.float({ min: 1, max: 1.5 }) * 100) / 100,
    brand: f.company.name().slice(0, 100),
    affiliateNetwork: f.helpers.arrayElement(networks),
    affiliateUrl: f.internet.url(),
    commissionRate: f.number.float({ min: 0.01, max: 0.15, fractionDigits: 4 }),
    categoryId: f.helpers.arrayElement(categoryIds),
    tags: f.helpers.arrayElements(['cosy', 'tech', 'outdoor', 'handmade', 'luxury', 'eco', 'fun'], {
      min: 1,
      max: 3,
    }),
    rating: f.number.float({ min: 1, max: 5, fractionDigits: 2 }),
    reviewCount: f.number.int({ min: 0, max: 5000 }),
  };
};

export interface UserActivity {
  swipeSessions: SwipeSessionInsert[];
  swipes: SwipeInteractionInsert[];
  recommendations: RecommendationInsert[];
  feedback: RecommendationFeedbackInsert[];
  sessions: SessionAnalyticsInsert[];
  views: ProductViewInsert[];
  clicks: AffiliateClickInsert[];
}

export const emptyActivity = (): UserActivity => ({
  swipeSessions: [],
  swipes: [],
  recommendations: [],
  feedback: [],
  sessions: [],
  views: [],
  clicks: [],
});

/** One visitor's browser session with its views and clicks; `userId` null = anonymous. */
function browse(
  f: Faker,
  out: UserActivity,
  products: ProductInsert[],
  userId: string | null,
  days: number,
) {
  // Sessions end, and conversions (up to a day after a click) arrive, before now: the database
  // refuses event times in the future.
  const startedAt = f.date.recent({ days, refDate: Date.now() - 26 * 3_600_000 });
  const sessionId = f.string.uuid();
  const anonymousId = userId ? null : f.string.alphanumeric(16);
  const device = f.helpers.arrayElement(deviceTypes);
  const campaign = f.helpers.arrayElement(campaigns);
  const viewCount = f.number.int({ min: 2, max: 18 });
  let at = startedAt.getTime();
  let clicks = 0;
  let converted: Date | null = null;
  let value = 0;
  for (let position = 1; position <= viewCount; position++) {
    at += f.number.int({ min: 5, max: 120 }) * 1000;
    const product = f.helpers.arrayElement(products);
    const clicked = f.number.float() < 0.2;
    out.views.push({
      productId: product.id as string,
      userId,
      sessionId,
      viewTimestamp: new Date(at),
      viewSource: f.helpers.arrayElement(viewSources),
      viewPosition: position,
      viewDurationSeconds: f.number.int({ min: 1, max: 300 }),
      interactionType: clicked ? 'click' : f.helpers.arrayElement(interactionTypes),
      hasClickedAffiliate: clicked,
      deviceType: device,
      relevanceScore: f.number.float({ min: 0, max: 1, fractionDigits: 2 }),
    });
    if (!clicked) continue;
    clicks += 1;
    const clickAt = new Date(at + 1000);
    const isConverted = f.number.float() < 0.05;
    const expected =
      Math.round((product.priceMin ?? 20) * (product.commissionRate ?? 0.05) * 100) / 100;
    const conversionAt = isConverted
      ? new Date(clickAt.getTime() + f.number.int({ min: 60, max: 86_400 }) * 1000)
      : null;
    if (conversionAt) {
      converted = conversionAt;
      value += product.priceMin ?? 0;
    }
    out.clicks.push({
      userId,
      anonymousId,
      productId: product.id as string,
      sessionId,
      clickTimestamp: clickAt,
      sourcePage: f.helpers.arrayElement(pages),
      deviceType: device,
      affiliateNetwork: product.affiliateNetwork ?? 'amazon',
      affiliateUrl: product.affiliateUrl ?? 'https://example.test',
      commissionRate: product.commissionRate ?? null,
      expectedCommission: expected,
      isConverted,
      conversionTimestamp: conversionAt,
      actualCommission: isConverted ? expected : null,
      orderId: isConverted ? f.string.uuid() : null,
      userAgent: f.internet.userAgent(),
      ipAddress: f.internet.ipv4(),
      utmCampaign: campaign,
    });
  }
  const endedAt = new Date(at + 30_000);
  out.sessions.push({
    sessionId,
    userId,
    anonymousId,
    startedAt,
    endedAt,
    durationSeconds: Math.round((endedAt.getTime() - startedAt.getTime()) / 1000),
    lastActivityAt: endedAt,
    landingPage: f.helpers.arrayElement(pages),
    pagesViewed: viewCount,
    productsViewed: viewCount,
    totalClicks: clicks,
    affiliateClicks: clicks,
    hasConverted: converted !== null,
    conversionTimestamp: converted,
    conversionValue: converted ? Math.round(value * 100) / 100 : null,
    deviceType: device,
    countryCode: f.location.countryCode(),
    utmCampaign: campaign,
    isBounce: viewCount <= 1,
    isActive: false,
    engagementScore: f.number.float({ min: 0, max: 1, fractionDigits: 2 }),
  });
}

/** Everything one registered user does, plus the anonymous visitors that come with them. */
export function userActivity(
  f: Faker,
  out: UserActivity,
  products: ProductInsert[],
  userId: string,
  days: number,
) {
  const swipeSessionId = f.string.uuid();
  out.swipeSessions.push({
    id: swipeSessionId,
    userId,
    occasion: f.helpers.arrayElement(['birthday', 'anniversary', 'christmas']),
  });
  for (let i = f.number.int({ min: 5, max: 25 }); i > 0; i--) {
    const product = f.helpers.arrayElement(products);
    out.swipes.push({
      sessionId: swipeSessionId,
      userId,
      productId: product.id as string,
      categoryId: product.categoryId ?? null,
      swipeDirection: f.helpers.weightedArrayElement(
        swipeDirections.map((value) => ({ value, weight: value === 'up' ? 1 : 3 })),
      ),
      timeSpentSeconds: f.number.int({ min: 1, max: 30 }),
    });
  }
  for (let rank = 1; rank <= 3; rank++) {
    const product = f.helpers.arrayElement(products);
    const recommendationId = f.string.uuid();
    out.recommendations.push({
      id: recommendationId,
      userId,
      productId: product.id as string,
      confidenceScore: f.number.float({ min: 0.3, max: 1, fractionDigits: 4 }),
      rankPosition: rank,
      algorithmVersion: 'seed',
    });
    if (f.number.float() < 0.5) {
      out.feedback.push({
        recommendationId,
        userId,
        productId: product.id as string,
        feedbackType: 'explicit',
        feedbackAction: f.helpers.arrayElement([
          'like',
          'dislike',
          'love',
          'not_interested',
        ] as const),
        feedbackValue: f.number.float({ min: -1, max: 1, fractionDigits: 2 }),
        positionInList: rank,
        modelVersion: 'seed',
      });
    }
  }
  for (let i = f.number.int({ min: 3, max: 7 }); i > 0; i--) browse(f, out, products, userId, days);
  if (f.number.float() < 0.5) browse(f, out, products, null, days);
}
