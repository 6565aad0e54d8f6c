import { createPublicKey, randomUUID } from 'node:crypto';
import { queryRows } from '@aclue/db';
import { createAuthUser } from '@aclue/db/samples';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  InvalidTokenError,
  SigningKeysUnavailableError,
  TokenExpiredError,
} from '../src';
import { createKey, sign, startJwksServer, supabaseClaims, type TestKey } from './jwks-server';
import { createWorld, testAuth, type World, withMfaRequired } from './world';

const ISSUER = testAuth.issuer;
const now = () => Math.floor(Date.now() / 1000);

/** What a refusal must look like: our type, its reason, status 401, and no trace of the token. */
async function refused(
  attempt: Promise<unknown>,
  token: string,
  reason: string | RegExp,
  type = InvalidTokenError,
) {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as InvalidTokenError).reason).toMatch(reason);
  const text = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).cause ?? '')}`;
  for (const part of token.split('.').filter((p) => p.length > 8)) expect(text).not.toContain(part);
  return error as InvalidTokenError;
}

describe.each(testDrivers({ pooled: true }))('access tokens on %s', (driver) => {
  let w: World;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let es256: TestKey;
  let rs256: TestKey;
  let repos: ReturnType<typeof createRepositories>;
  let userId: string;

  beforeAll(async () => {
    w = await createWorld(driver);
    jwks = await startJwksServer();
    es256 = await createKey('ES256', 'es-1');
    rs256 = await createKey('RS256', 'rs-1');
    jwks.publish(es256, rs256);
    repos = createRepositories(w.db, {
      auth: {
        issuer: ISSUER,
        jwtSecret: testAuth.jwtSecret,
        jwksUrl: jwks.url,
        jwksTimeoutMs: 500,
      },
    });
    userId = await createAuthUser(w.db);
  });
  afterAll(async () => {
    await jwks?.close();
    await w?.test.dispose();
  });

  /** The user id the database sees for a caller: it writes a preference row and reads its owner. */
  const ownerSeenBy = async (token: string) => {
    const caller = await repos.fromAccessToken(token);
    await caller.preferences.updateMine({ likedBrands: ['Acme'] });
    const [row] = await queryRows<{ user_id: string }>(
      w.db,
      sql`SELECT user_id FROM user_preferences WHERE user_id = ${userId}`,
    );
    return row?.user_id;
  };

  it('maps a valid HS256, ES256 or RS256 token to its user, as RLS sees it', async () => {
    for (const key of [{ secret: testAuth.jwtSecret }, es256, rs256]) {
      const token = await sign(supabaseClaims(ISSUER, userId), key);
      expect(await ownerSeenBy(token)).toBe(userId);
      expect(await ownerSeenBy(`Bearer ${token}`)).toBe(userId);
    }
  });

  it('hands the verified claims whole to auth.jwt(): the MFA policy reads their aal', async () => {
    const mfa = await withMfaRequired(w);
    try {
      const required = createRepositories(mfa.db, { auth: { issuer: ISSUER, jwksUrl: jwks.url } });
      const aal1 = await required.fromAccessToken(
        await sign(supabaseClaims(ISSUER, userId), es256),
      );
      await expect(aal1.preferences.updateMine({ likedBrands: ['Kiln'] })).rejects.toThrow(
        /multi-factor authentication required/,
      );
      const aal2 = await required.fromAccessToken(
        await sign(supabaseClaims(ISSUER, userId, { aal: 'aal2' }), es256),
      );
      const updated = await aal2.preferences.updateMine({ likedBrands: ['Kiln'] });
      expect(updated.likedBrands).toEqual(['Kiln']);
    } finally {
      await mfa.restore();
    }
  });

  it('refuses alg none, algorithm confusion, tampering and foreign signatures', async () => {
    const claims = supabaseClaims(ISSUER, userId);
    const header = (h: object) => base64url.encode(JSON.stringify(h));
    const body = base64url.encode(JSON.stringify({ ...claims, exp: now() + 600 }));
    const none = `${header({ alg: 'none', typ: 'JWT' })}.${body}.`;
    await refused(repos.fromAccessToken(none), none, /^(malformed|algorithm)$/);
    const noneSigned = `${header({ alg: 'none', typ: 'JWT' })}.${body}.AAAA`;
    await refused(repos.fromAccessToken(noneSigned), noneSigned, /^(malformed|algorithm)$/);

    // HS256 "signed" with the public key the JWKS publishes: the classic confusion attack.
    const pem = createPublicKey({ key: rs256.publicJwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const confused = await sign(claims, { secret: pem });
    await refused(repos.fromAccessToken(confused), confused, 'signature');
    const onlyJwks = createRepositories(w.db, { auth: { issuer: ISSUER, jwksUrl: jwks.url } });
    await refused(onlyJwks.fromAccessToken(confused), confused, 'algorithm');

    const genuine = await sign(claims, es256);
    const [h, , s] = genuine.split('.');
    const forged = `${h}.${base64url.encode(JSON.stringify({ ...claims, sub: randomUUID(), exp: now() + 600 }))}.${s}`;
    await refused(repos.fromAccessToken(forged), forged, 'signature');
    const otherSecret = await sign(claims, { secret: 'another-projects-secret-of-32-chars!!' });
    await refused(repos.fromAccessToken(otherSecret), otherSecret, 'signature');
    await refused(repos.fromAccessToken('not a token'), 'not a token', 'malformed');
    await refused(repos.fromAccessToken(undefined), '', 'malformed');
  });

  it('refuses tokens outside their lifetime, issuer or audience', async () => {
    const expired = await sign(supabaseClaims(ISSUER, userId, { exp: now() - 120 }), es256);
    const error = await refused(
      repos.fromAccessToken(expired),
      expired,
      'expired',
      TokenExpiredError,
    );
    expect(error.status).toBe(401);
    const early = await sign(supabaseClaims(ISSUER, userId, { nbf: now() + 600 }), es256);
    await refused(repos.fromAccessToken(early), early, 'not_yet_valid');
    // Issued an hour from now: beyond the leeway, whatever its exp says.
    const future = await sign(
      supabaseClaims(ISSUER, userId, { iat: now() + 3600, exp: now() + 7200 }),
      es256,
    );
    await refused(repos.fromAccessToken(future), future, 'not_yet_valid');
    const slightly = await sign(supabaseClaims(ISSUER, userId, { iat: now() + 5 }), es256);
    expect(await ownerSeenBy(slightly)).toBe(userId);
    const foreign = await sign(supabaseClaims('https://evil.supabase.co/auth/v1', userId), es256);
    await refused(repos.fromAccessToken(foreign), foreign, 'issuer');
    const audience = await sign(supabaseClaims(ISSUER, userId, { aud: 'other-app' }), es256);
    await refused(repos.fromAccessToken(audience), audience, 'audience');
    // Within the tolerance a token just past its exp still passes (clock skew between servers).
    const skewed = await sign(supabaseClaims(ISSUER, userId, { exp: now() - 5 }), es256);
    expect(await ownerSeenBy(skewed)).toBe(userId);
  });

  it('refuses a sub that is not a user id, unknown roles and service_role unless allowed', async () => {
    const badSub = await sign(supabaseClaims(ISSUER, 'admin'), es256);
    await refused(repos.fromAccessToken(badSub), badSub, 'claims');
    const root = await sign(supabaseClaims(ISSUER, userId, { role: 'postgres' }), es256);
    await refused(repos.fromAccessToken(root), root, 'role');
    const service = await sign(supabaseClaims(ISSUER, userId, { role: 'service_role' }), es256);
    await refused(repos.fromAccessToken(service), service, 'role');
    const allowing = createRepositories(w.db, {
      auth: { issuer: ISSUER, jwksUrl: jwks.url, allowServiceRole: true },
    });
    const platform = await allowing.fromAccessToken(service);
    expect((await platform.products.findById(w.a.productId)).id).toBe(w.a.productId);
  });

  it('without a cooldown, refetches the key set once for an unknown kid (rotation)', async () => {
    const eager = createRepositories(w.db, {
      auth: { issuer: ISSUER, jwksUrl: jwks.url, jwksCooldownSeconds: 0 },
    });
    const rotated = await createKey('ES256', 'es-2');
    await eager.fromAccessToken(await sign(supabaseClaims(ISSUER, userId), es256));
    const before = jwks.state.fetches;
    jwks.publish(es256, rs256, rotated);
    const caller = await eager.fromAccessToken(await sign(supabaseClaims(ISSUER, userId), rotated));
    expect(caller).toBeDefined();
    expect(jwks.state.fetches).toBe(before + 1);
    const stranger = await sign(supabaseClaims(ISSUER, userId), await createKey('ES256', 'es-9'));
    await refused(eager.fromAccessToken(stranger), stranger, 'unknown_key');
    expect(jwks.state.fetches).toBe(before + 2);
  });

  it('by default, made-up kids cannot make it fetch the key set again and again', async () => {
    const guarded = createRepositories(w.db, { auth: { issuer: ISSUER, jwksUrl: jwks.url } });
    await guarded.fromAccessToken(await sign(supabaseClaims(ISSUER, userId), es256));
    const before = jwks.state.fetches;
    for (let i = 0; i < 30; i++) {
      const forged = await sign(
        supabaseClaims(ISSUER, userId),
        await createKey('ES256', `made-up-${i}`),
      );
      await refused(guarded.fromAccessToken(forged), forged, 'unknown_key');
    }
    // The first unknown kid within the cooldown refetches at most once; the rest are refused.
    expect(jwks.state.fetches - before).toBeLessThanOrEqual(1);
  });

  it('fails closed when the key set endpoint is down or too slow', async () => {
    const key = await createKey('ES256', 'es-fresh');
    for (const mode of ['error', 'hang'] as const) {
      jwks.state.mode = mode;
      const fresh = createRepositories(w.db, {
        auth: { issuer: ISSUER, jwksUrl: jwks.url, jwksTimeoutMs: 300 },
      });
      const token = await sign(supabaseClaims(ISSUER, userId), key);
      const error = await refused(
        fresh.fromAccessToken(token),
        token,
        'keys_unavailable',
        SigningKeysUnavailableError,
      );
      expect(error.status).toBe(503);
    }
    jwks.state.mode = 'ok';
  });
});
