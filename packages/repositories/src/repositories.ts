import { type Database, type Executor, type Identity, storableString } from '@aclue/db';
import { z } from 'zod';
import { AffiliateClickRepository } from './affiliate-clicks';
import { AnalyticsRepository } from './analytics';
import type { AuthOptions } from './auth/access-tokens';
import { type CallerVerifier, callerVerifier } from './auth/callers';
import { CategoryRepository } from './categories';
import { type BulkLoader, copyLoader } from './copy';
import { validate } from './errors';
import { PreferenceJob } from './preference-job';
import { PrivacyRepository } from './privacy';
import { ProductViewRepository } from './product-views';
import { ProductRepository } from './products';
import { RecommendationFeedbackRepository } from './recommendation-feedback';
import { RecommendationRepository } from './recommendations';
import { boundRunner, type Runner, transactionRunner } from './scope';
import { SessionAnalyticsRepository } from './session-analytics';
import { SwipeRepository } from './swipes';
import { TrainingFeedRepository } from './training-feed';
import { UserPreferencesRepository } from './user-preferences';

const userIdInput = z.uuid('userId must be the UUID of a user');
const anonymousIdInput = storableString('anonymousId', 128)
  .min(8, 'anonymousId must be at least 8 characters')
  .optional();

function repositoriesFor(run: Runner, identity: Identity, bulkLoader?: BulkLoader) {
  return {
    affiliateClicks: new AffiliateClickRepository(run, identity),
    sessions: new SessionAnalyticsRepository(run, identity),
    productViews: new ProductViewRepository(run, identity, bulkLoader),
    preferences: new UserPreferencesRepository(run, identity),
    feedback: new RecommendationFeedbackRepository(run, identity),
    swipes: new SwipeRepository(run, identity),
    products: new ProductRepository(run),
    categories: new CategoryRepository(run),
    recommendations: new RecommendationRepository(run),
  };
}

export type Repositories = ReturnType<typeof repositoriesFor>;

/** The repositories of one caller, plus atomic grouping of several calls. */
export type ScopedRepositories<Extra = object> = Repositories &
  Extra & {
    /** Who every call runs as: the identity a token or proof was verified to name. */
    readonly identity: Identity;
    /**
     * Runs several repository calls in one transaction as the same caller: all or nothing.
     * @example
     * await repos.asUser(id).transaction(async (r) => {
     *   await r.swipes.recordSwipe(a);
     *   await r.feedback.recordFeedback(b);
     * });
     */
    transaction<T>(work: (repositories: Repositories & Extra) => Promise<T>): Promise<T>;
  };

function scope<Extra>(
  db: Database,
  identity: Identity,
  extra: (run: Runner, grouped: boolean) => Extra,
): ScopedRepositories<Extra> {
  const run = transactionRunner(db, identity);
  return {
    identity,
    ...repositoriesFor(run, identity, copyLoader(db)),
    ...extra(run, false),
    transaction: (work) =>
      run((tx: Executor) => {
        const bound = boundRunner(tx);
        return work({ ...repositoriesFor(bound, identity), ...extra(bound, true) });
      }),
  };
}

/**
 * The service role's own repositories. Analytics read a replica when the database has one
 * (`createDb({ replicas })`): reports may lag a moment, and the primary keeps its connections
 * for writes. Inside `transaction()` they read the transaction's own view instead.
 */
const serviceOnly = (db: Database, callers: CallerVerifier) => (run: Runner, grouped: boolean) => ({
  trainingFeed: new TrainingFeedRepository(run),
  preferenceJob: new PreferenceJob(run),
  privacy: new PrivacyRepository(run, callers),
  analytics: new AnalyticsRepository(
    grouped || db.$readers.length === 0
      ? run
      : transactionRunner(db.$reader(), { role: 'service_role' }),
  ),
});

export interface RepositoryOptions {
  /** How callers prove who they are: see `fromAccessToken` and `issueAnonymousId`. */
  auth?: AuthOptions;
}

/**
 * Repositories that run every query as a given caller, exactly as Supabase's API does: each call
 * is a transaction that sets the role and the JWT claims locally, so row level security decides
 * what the caller sees — on Supabase, plain PostgreSQL and the embedded database alike, and
 * through a transaction-mode pooler (nothing is set for the session).
 *
 * @example
 * const repos = createRepositories(db, { auth: { issuer, anonymousIdSecret } });
 * const caller = await repos.fromAccessToken(request.headers.authorization);
 * await caller.preferences.updateMine({ likedBrands: ['Acme'] });
 * await repos.asService().trainingFeed.claimBatch({ limit: 100 });
 */
export function createRepositories(db: Database, options: RepositoryOptions = {}) {
  const callers = callerVerifier(options.auth);
  const asCaller = (identity: Identity) => scope(db, identity, () => ({}));
  return {
    /**
     * The caller a Supabase access token proves (the bare token or the `Authorization` header's
     * value): signature, issuer, audience, lifetime and role verified, then its claims become
     * `auth.jwt()` as they are. Throws InvalidTokenError / TokenExpiredError (status 401).
     */
    fromAccessToken: async (token: unknown) => asCaller(await callers.fromAccessToken(token)),
    /** A visitor without a Supabase session, by the proof `issueAnonymousId` gave it. */
    fromAnonymousProof: async (proof: unknown) => asCaller(await callers.fromAnonymousProof(proof)),
    /**
     * A new, unguessable anonymous id and the signed proof of it, for a visitor without a
     * Supabase session: keep `proof` in a cookie, call `fromAnonymousProof(proof)` per request.
     */
    issueAnonymousId: () => callers.issueAnonymousId(),
    /**
     * Moves a visitor's history into the account it signed up for or in to, with both proven: the
     * account by its access token (a registered user), the visitor by its anonymous id proof or
     * the token of its Supabase anonymous sign-in. See `privacy.linkAnonymousHistory`.
     */
    linkAnonymousHistory: async ({
      accessToken,
      proof,
    }: {
      accessToken: unknown;
      proof: unknown;
    }) =>
      new PrivacyRepository(
        transactionRunner(db, { role: 'service_role' }),
        callers,
      ).linkAnonymousHistory({
        userId: await callers.accountOf(accessToken),
        proof: proof as string,
      }),
    /**
     * An anonymous visitor, by an id the server itself already verified (prefer
     * `fromAnonymousProof`): never pass an id taken from a request unverified.
     */
    asAnon: ({ anonymousId }: { anonymousId?: string } = {}) => {
      const id = validate(anonymousIdInput, anonymousId);
      return asCaller({ role: 'anon', ...(id ? { anonymousId: id } : {}) });
    },
    /**
     * A signed-in user, by a user id the server itself already verified (prefer
     * `fromAccessToken`): never pass an id taken from a header or an unverified token.
     */
    asUser: (userId: string) =>
      asCaller({ role: 'authenticated', userId: validate(userIdInput, userId) }),
    /** The platform itself (jobs, analytics, conversions): bypasses RLS. */
    asService: () => scope(db, { role: 'service_role' }, serviceOnly(db, callers)),
  };
}
