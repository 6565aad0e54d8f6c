import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { InvalidTokenError } from './errors';

const ISSUER = 'aclue-db/anonymous-id';
const TYPE = 'anonymous-id+jwt';
/** About a browser cookie's longest life: a visitor unseen for longer starts afresh. */
const DEFAULT_LIFETIME_SECONDS = 400 * 24 * 3600;

/** An id for a visitor without a Supabase session, and the proof the server signed for it. */
export interface IssuedAnonymousId {
  /** Stored on the visitor's tracking rows: 22 random base64url characters (128 bits). */
  anonymousId: string;
  /** What the browser keeps (a cookie) and sends back: the id, signed by this server. */
  proof: string;
}

/**
 * Issues and checks the server's anonymous ids: unguessable (128 random bits) and signed (HS256
 * with the server's secret, by jose), so a visitor — or an attacker — can name only an id the
 * server gave it, never someone else's.
 */
export class AnonymousIds {
  private readonly key: Uint8Array | undefined;

  constructor(
    secret: string | undefined,
    private readonly lifetimeSeconds = DEFAULT_LIFETIME_SECONDS,
  ) {
    if (secret !== undefined && secret.length < 32) {
      throw new TypeError('auth.anonymousIdSecret must be at least 32 characters');
    }
    this.key = secret === undefined ? undefined : new TextEncoder().encode(secret);
  }

  /** A new visitor id and its proof. */
  async issue(): Promise<IssuedAnonymousId> {
    const anonymousId = randomBytes(16).toString('base64url');
    const proof = await new SignJWT({ anonymous_id: anonymousId })
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .sign(this.secret());
    return { anonymousId, proof };
  }

  /** The anonymous id a proof carries, or InvalidTokenError when this server did not sign it. */
  async verify(proof: unknown): Promise<string> {
    if (typeof proof !== 'string' || proof.length === 0 || proof.length > 4096) {
      throw new InvalidTokenError('malformed', 'no anonymous id proof was given');
    }
    const key = this.secret();
    try {
      const { payload } = await jwtVerify(proof, key, {
        issuer: ISSUER,
        typ: TYPE,
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
      });
      if (typeof payload.anonymous_id === 'string' && payload.anonymous_id.length >= 8) {
        return payload.anonymous_id;
      }
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new InvalidTokenError(
          'expired',
          'the anonymous id proof has expired: issue a new id',
        );
      }
    }
    throw new InvalidTokenError(
      'signature',
      'the anonymous id proof was not issued by this server',
    );
  }

  /** True when `proof` has the shape of an anonymous id proof (and not of an access token). */
  static looksLikeProof(proof: unknown): boolean {
    try {
      return typeof proof === 'string' && decodeProtectedHeader(proof).typ === TYPE;
    } catch {
      return false;
    }
  }

  private secret(): Uint8Array {
    if (!this.key) {
      throw new Error('anonymous ids need createRepositories(db, { auth: { anonymousIdSecret } })');
    }
    return this.key;
  }
}
