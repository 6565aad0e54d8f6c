/**
 * A visitor's journey through the repositories, end to end:
 *   npx tsx examples/track-and-analyse.ts            # a throwaway embedded database, in memory
 *   DATABASE_URL=postgres://… npx tsx examples/track-and-analyse.ts   # appends to that database
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createDb, migrate } from '@aclue/db';
import { createAuthUser } from '@aclue/db/samples';
import { products } from '@aclue/db/schema';
import { createRepositories } from '@aclue/repositories';

const startedAt = new Date();
// Its own fresh database, so the figures below are this run's alone; a DATABASE_URL is appended to.
const db = await createDb(process.env.DATABASE_URL ? {} : { memory: true });
try {
  const { pending } = await migrate(db);
  console.log(
    db.$driver === 'pg'
      ? `database: ${db.$target} (appending; figures count from ${startedAt.toISOString()})`
      : `database: a fresh embedded one in memory (${pending.length} migrations applied)`,
  );
  // In production the secret comes from the server's configuration (32+ characters, never
  // committed, the same on every instance); here a fresh one per run.
  const repos = createRepositories(db, {
    auth: {
      issuer: 'https://example.supabase.co/auth/v1',
      anonymousIdSecret: randomBytes(32).toString('hex'),
    },
  });

  // The catalogue comes from the product import; here, two products inserted as the owner.
  const [lamp, mug] = await db
    .insert(products)
    .values([
      {
        title: 'Brass desk lamp',
        brand: 'Lumen',
        priceMin: 45,
        tags: ['home', 'cosy'],
        affiliateNetwork: 'amazon',
        affiliateUrl: 'https://example.test/lamp',
        commissionRate: 0.06,
      },
      { title: 'Hand-thrown mug', brand: 'Kiln', priceMin: 18, tags: ['kitchen'] },
    ])
    .returning();
  if (!lamp || !mug) throw new Error('catalogue import failed');

  // 1. An anonymous visitor browses and clicks an affiliate link.
  // The server issues the visitor an unguessable id and a signed proof of it (kept in a cookie);
  // every request proves the id again, so nobody can record or claim history under another's.
  const { proof } = await repos.issueAnonymousId();
  const visitor = await repos.fromAnonymousProof(proof);
  // The database generates the session id; the visitor's later events name it.
  const { sessionId } = await visitor.sessions.startSession({
    landingPage: '/gifts',
    deviceType: 'mobile',
    utmCampaign: 'winter',
  });
  await visitor.productViews.recordProductViews([
    {
      productId: lamp.id,
      sessionId,
      viewSource: 'search',
      viewPosition: 1,
      interactionType: 'detail_view',
    },
    {
      productId: mug.id,
      sessionId,
      viewSource: 'search',
      viewPosition: 2,
      interactionType: 'impression',
    },
  ]);
  await visitor.sessions.touchSession({
    sessionId,
    page: '/gifts/brass-desk-lamp',
    productsViewed: 2,
  });
  const click = await visitor.affiliateClicks.recordClick({
    sessionId,
    productId: lamp.id,
    sourcePage: '/gifts/brass-desk-lamp',
    deviceType: 'mobile',
    utmCampaign: 'winter',
    // The network, link and commission are the lamp's: the database takes them from it.
  });
  console.log(
    `visitor clicked the lamp; session counted the click: ${click.sessionCounted}, views marked clicked: ${click.viewsMarked}`,
  );

  // 2. The visitor signs up (Supabase Auth creates the user) and their history follows them.
  const userId = await createAuthUser(db, `${randomUUID()}@example.test`);
  const linked = await repos.asService().privacy.linkAnonymousHistory({ userId, proof });
  console.log('linked pre-registration history:', linked);

  // 3. As the user: swipes, then feedback on a recommendation made for them.
  const user = repos.asUser(userId);
  await user.transaction(async (r) => {
    const { id: swipeSession } = await r.swipes.startSwipeSession({
      occasion: 'birthday',
      budgetMax: 60,
    });
    await r.swipes.recordSwipe({
      sessionId: swipeSession,
      productId: lamp.id,
      swipeDirection: 'up',
    });
    await r.swipes.recordSwipe({
      sessionId: swipeSession,
      productId: mug.id,
      swipeDirection: 'left',
    });
    await r.swipes.completeSwipeSession(swipeSession);
  });
  const [recommendation] = await repos.asService().recommendations.createRecommendations([
    {
      userId,
      productId: lamp.id,
      confidenceScore: 0.91,
      rankPosition: 1,
      algorithmVersion: 'rec-v3',
    },
  ]);
  await user.feedback.recordFeedback({
    recommendationId: recommendation?.id ?? '',
    productId: lamp.id,
    feedbackType: 'explicit',
    feedbackAction: 'love',
    feedbackValue: 1,
    modelVersion: 'rec-v3',
  });
  await user.preferences.updateMine({ likedBrands: ['Lumen'], priceSensitivity: 0.4 });

  // 4. The platform: the network reports the sale, the preference job runs, analytics read it all.
  const service = repos.asService();
  await service.affiliateClicks.recordConversion({
    clickId: click.id,
    orderId: `order-${randomUUID()}`,
    actualCommission: 2.7,
  });
  const preferences = await service.preferenceJob.calculatePreferences(userId);
  console.log('preferences:', {
    totalSwipes: preferences?.totalSwipes,
    engagementRate: preferences?.engagementRate,
    brandScores: preferences?.brandScores,
    likedBrands: preferences?.likedBrands,
    dataQualityScore: preferences?.dataQualityScore,
  });
  const period = { from: startedAt, to: new Date(Date.now() + 60_000) };
  console.log('funnel:', await service.analytics.funnel(period));
  console.log(
    'revenue by campaign:',
    await service.analytics.revenueAttribution({ ...period, by: 'campaign' }),
  );
  console.log('CTR by position:', await service.analytics.clickThroughRate(period));
} finally {
  await db.$close();
}
