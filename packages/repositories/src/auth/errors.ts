import { RepositoryError } from '../errors';

/**
 * Why a token was refused, as a stable code an API can log or branch on. The message says the
 * same in words; neither ever carries the token or its claims.
 */
export type TokenRefusal =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claims'
  | 'role'
  | 'keys_unavailable';

/** The token does not prove who the caller is: answer 401 and ask the client to sign in again. */
export class InvalidTokenError extends RepositoryError {
  constructor(
    readonly reason: TokenRefusal,
    message: string,
  ) {
    super(message);
  }

  override get status(): number {
    return 401;
  }
}

/** The token was genuine but its lifetime is over: the client should refresh it. */
export class TokenExpiredError extends InvalidTokenError {
  constructor() {
    super('expired', 'the access token has expired: refresh the session and retry');
  }
}

/**
 * The issuer's signing keys could not be fetched (down, slow, or not a key set), so no token can
 * be verified: the request is refused (fail closed) with 503, since signing in again cannot help.
 */
export class SigningKeysUnavailableError extends InvalidTokenError {
  constructor() {
    super(
      'keys_unavailable',
      "the issuer's signing keys (JWKS) could not be fetched in time: the token was not accepted",
    );
  }

  override get status(): number {
    return 503;
  }
}
