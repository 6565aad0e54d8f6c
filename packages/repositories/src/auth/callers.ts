import type { Identity } from '@aclue/db';
import { type AccessTokenVerifier, type AuthOptions, accessTokenVerifier } from './access-tokens';
import { AnonymousIds, type IssuedAnonymousId } from './anonymous-ids';
import { InvalidTokenError } from './errors';

/** Whose pre-registration history a proof shows the caller to have been. */
export type HistoryOwner =
  | { anonymousId: string }
  /** A Supabase anonymous sign-in (`is_anonymous`), signing into another, existing account. */
  | { anonymousUserId: string };

/** Every way a request proves who it comes from; nothing here takes an id on trust. */
export interface CallerVerifier {
  /** The identity a verified access token names (its claims travel whole). */
  fromAccessToken(token: unknown): Promise<Identity>;
  /** The anonymous visitor a server-issued proof names. */
  fromAnonymousProof(proof: unknown): Promise<Identity>;
  issueAnonymousId(): Promise<IssuedAnonymousId>;
  /** The history a proof (an anonymous id proof, or an anonymous user's token) entitles to. */
  historyOwner(proof: unknown): Promise<HistoryOwner>;
  /** The id of the signed-in, non-anonymous user a token proves (who history may move to). */
  accountOf(token: unknown): Promise<string>;
}

const unconfigured: AccessTokenVerifier = () =>
  Promise.reject(
    new Error('verifying access tokens needs createRepositories(db, { auth: { issuer, … } })'),
  );

export function callerVerifier(options: AuthOptions | undefined): CallerVerifier {
  const accessToken = options ? accessTokenVerifier(options) : unconfigured;
  if (options?.anonymousIdSecret && options.anonymousIdSecret === options.jwtSecret) {
    throw new TypeError('auth.anonymousIdSecret must differ from auth.jwtSecret');
  }
  const anonymousIds = new AnonymousIds(
    options?.anonymousIdSecret,
    options?.anonymousIdLifetimeSeconds,
  );
  return {
    fromAccessToken: accessToken,
    fromAnonymousProof: async (proof) => ({
      role: 'anon',
      anonymousId: await anonymousIds.verify(proof),
    }),
    issueAnonymousId: () => anonymousIds.issue(),
    historyOwner: async (proof) => {
      if (AnonymousIds.looksLikeProof(proof)) {
        return { anonymousId: await anonymousIds.verify(proof) };
      }
      const identity = await accessToken(proof);
      if (identity.role !== 'authenticated' || identity.claims?.is_anonymous !== true) {
        throw new InvalidTokenError(
          'claims',
          "the proof is neither an anonymous id proof nor an anonymous user's token",
        );
      }
      return { anonymousUserId: identity.userId };
    },
    accountOf: async (token) => {
      const identity = await accessToken(token);
      if (identity.role !== 'authenticated' || identity.claims?.is_anonymous === true) {
        throw new InvalidTokenError(
          'claims',
          'history moves only into a signed-in, registered account',
        );
      }
      return identity.userId;
    },
  };
}
