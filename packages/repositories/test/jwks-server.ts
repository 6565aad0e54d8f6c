import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A signing key of the test issuer: its private half signs, its public JWK is published. */
export interface TestKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function createKey(alg: TestKey['alg'], kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  };
}

/**
 * A JWKS endpoint on 127.0.0.1, like Supabase Auth's `/.well-known/jwks.json`: the published
 * keys can change (rotation), it counts fetches, and it can answer slowly or not at all.
 */
export async function startJwksServer() {
  const state = { keys: [] as JWK[], fetches: 0, mode: 'ok' as 'ok' | 'hang' | 'error' };
  const server: Server = createServer((_request, response) => {
    state.fetches += 1;
    if (state.mode === 'hang') return; // never answers: the verifier's timeout must fire
    if (state.mode === 'error') {
      response.writeHead(500).end('down');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    url: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json`,
    publish: (...keys: TestKey[]) => {
      state.keys = keys.map((k) => k.publicJwk);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Supabase-shaped access token claims for `sub` (override any of them). */
export const supabaseClaims = (
  issuer: string,
  sub: string,
  extra: Record<string, unknown> = {},
) => ({
  iss: issuer,
  aud: 'authenticated',
  sub,
  role: 'authenticated',
  aal: 'aal1',
  amr: [{ method: 'password', timestamp: Math.floor(Date.now() / 1000) }],
  session_id: crypto.randomUUID(),
  is_anonymous: false,
  app_metadata: { provider: 'email' },
  user_metadata: {},
  ...extra,
});

/**
 * Signs `claims` (with `iat` now and `exp` in an hour, each unless given) by an asymmetric key or
 * a secret.
 */
export async function sign(
  claims: Record<string, unknown>,
  key: TestKey | { secret: string },
  { expiresIn = '1h' as string | number } = {},
): Promise<string> {
  const jwt = new SignJWT(claims);
  if (claims.iat === undefined) jwt.setIssuedAt();
  if (claims.exp === undefined) jwt.setExpirationTime(expiresIn);
  return 'secret' in key
    ? jwt
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(key.secret))
    : jwt.setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}
