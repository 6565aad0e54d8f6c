import type { Identity } from '@aclue/db';
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { InvalidTokenError, SigningKeysUnavailableError, TokenExpiredError } from './errors';

/**
 * How access tokens are verified. The defaults are Supabase Auth's: audience `authenticated`,
 * signing keys at `<issuer>/.well-known/jwks.json`.
 */
export interface AuthOptions {
  /** Exactly the tokens' `iss`: `https://<project>.supabase.co/auth/v1`. */
  issuer: string;
  /** Accepted `aud` values; default `authenticated`. */
  audience?: string | string[];
  /**
   * The project's legacy JWT secret: accepts HS256 tokens signed with it. Without it HS256 is
   * refused outright (so a token "signed" with a public key cannot pass as HMAC).
   */
  jwtSecret?: string;
  /**
   * Where the asymmetric (ES256, RS256) public keys are published. Default
   * `<issuer>/.well-known/jwks.json` unless only `jwtSecret` is given.
   */
  jwksUrl?: string;
  /** Leeway for `exp`, `nbf` and `iat` against this server's clock; default 30 s. */
  clockToleranceSeconds?: number;
  /** How long fetching the key set may take before every token is refused; default 3000 ms. */
  jwksTimeoutMs?: number;
  /**
   * After a fetch, how long a token naming an unknown `kid` is refused without fetching again;
   * default 30 s (jose's). Anyone can send tokens with made-up `kid`s: without a cooldown each
   * costs a request to the key server. A key rotated in is accepted once the cooldown since the
   * last fetch has passed (Supabase publishes a new key before it signs with it); 0 refetches
   * for every unknown `kid` (concurrent ones share the fetch).
   */
  jwksCooldownSeconds?: number;
  /** Accept `service_role` tokens (they bypass RLS); default false. */
  allowServiceRole?: boolean;
  /**
   * The server's own secret (at least 32 characters, not the JWT secret) for the anonymous ids it
   * issues to visitors without a Supabase session; see `issueAnonymousId`.
   */
  anonymousIdSecret?: string;
  /** How long an anonymous id proof stays valid; default 400 days (a cookie's longest life). */
  anonymousIdLifetimeSeconds?: number;
}

const ACCEPTED_SIZE = 16 * 1024;
const userId = z.uuid();
const anonymousId = z.string().min(8).max(128);

/** A function that turns a bearer token into the identity it proves, or throws why not. */
export type AccessTokenVerifier = (token: unknown) => Promise<Identity>;

/** Builds the verifier once per process: the key set is fetched lazily and cached. */
export function accessTokenVerifier(options: AuthOptions): AccessTokenVerifier {
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
  const jwksUrl =
    options.jwksUrl ??
    (secret ? undefined : `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`);
  const jwks = jwksUrl
    ? createRemoteJWKSet(new URL(jwksUrl), {
        timeoutDuration: options.jwksTimeoutMs ?? 3000,
        cooldownDuration: (options.jwksCooldownSeconds ?? 30) * 1000,
        cacheMaxAge: 10 * 60 * 1000,
      })
    : undefined;
  // Pinned per key type: HMAC only with the shared secret, signatures only with published keys.
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ['ES256', 'RS256'] : [])];
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (!jwks || header.alg === 'HS256') throw new errors.JOSEAlgNotAllowed('not accepted');
    try {
      return await jwks(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) throw error;
      if (error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new SigningKeysUnavailableError();
    }
  };

  return async (token) => {
    const compact = bearer(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(compact, key, {
        issuer: options.issuer,
        audience: options.audience ?? 'authenticated',
        algorithms,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'role'],
      }));
    } catch (error) {
      throw refusal(error);
    }
    // jose checks `iat` only against a maximum age: a token issued in the future (a clock far
    // ahead, or one forged to outlive its key) is refused here, with the same leeway as exp.
    const leeway = options.clockToleranceSeconds ?? 30;
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + leeway) {
      throw new InvalidTokenError('not_yet_valid', 'the access token was issued in the future');
    }
    return identityOf(payload, options.allowServiceRole ?? false);
  };
}

/** The compact token, from the bare token or an `Authorization` header's value. */
function bearer(token: unknown): string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new InvalidTokenError('malformed', 'no access token was given');
  }
  const compact = token.replace(/^bearer\s+/i, '').trim();
  if (compact.length > ACCEPTED_SIZE || compact.split('.').length !== 3) {
    throw new InvalidTokenError('malformed', 'the access token is not a compact JWT');
  }
  return compact;
}

/** The caller a verified token names; its claims travel whole to `request.jwt.claims`. */
function identityOf(claims: JWTPayload, allowServiceRole: boolean): Identity {
  switch (claims.role) {
    case 'authenticated': {
      const sub = userId.safeParse(claims.sub);
      if (!sub.success) {
        throw new InvalidTokenError('claims', "the token's sub is not a user id (a UUID)");
      }
      return { role: 'authenticated', userId: sub.data, claims };
    }
    case 'anon': {
      if (claims.anonymous_id === undefined) return { role: 'anon', claims };
      const id = anonymousId.safeParse(claims.anonymous_id);
      if (!id.success) {
        throw new InvalidTokenError('claims', "the token's anonymous_id is not 8–128 characters");
      }
      return { role: 'anon', anonymousId: id.data, claims };
    }
    case 'service_role':
      if (allowServiceRole) return { role: 'service_role', claims };
      throw new InvalidTokenError('role', 'service_role tokens are not accepted here');
    default:
      throw new InvalidTokenError('role', "the token's role is neither anon nor authenticated");
  }
}

const claimRefusals: Record<string, [InvalidTokenError['reason'], string]> = {
  nbf: ['not_yet_valid', 'the access token is not valid yet'],
  iat: ['not_yet_valid', 'the access token was issued in the future'],
  iss: ['issuer', 'the access token was issued by another issuer'],
  aud: ['audience', 'the access token is meant for another audience'],
};

/** jose's error as ours: a reason and a sentence, never the token or a claim's value. */
function refusal(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error;
  if (error instanceof errors.JWTExpired) return new TokenExpiredError();
  if (error instanceof errors.JWTClaimValidationFailed) {
    const [reason, message] = claimRefusals[error.claim] ?? [
      'claims',
      `the access token's ${error.claim} claim is missing or invalid`,
    ];
    return new InvalidTokenError(reason, message);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new InvalidTokenError('algorithm', 'the access token uses an algorithm not accepted');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError('signature', "the access token's signature does not verify");
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new InvalidTokenError(
      'unknown_key',
      'the access token names a key the issuer does not publish',
    );
  }
  return new InvalidTokenError('malformed', 'the access token is not a well-formed JWT');
}
