import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { createRepositories, ScopedRepositories } from '@aclue/repositories';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { isPublicApiKey, isServiceRoleApiKey } from './api-keys';
import type { Config } from './config';
import type { ApiEnv } from './http';
import { overLimit } from './limits';
import { ProblemError } from './problems';
import type { Services } from './services';

export type RepositoryFactory = ReturnType<typeof createRepositories>;

/** The cookie that keeps a visitor's signed anonymous id between requests. */
export const VISITOR_COOKIE = 'aclue_visitor';
/** The header a client that cannot use cookies sends the same proof in. */
export const VISITOR_HEADER = 'x-visitor-proof';

export interface TrackingCaller {
  repos: ScopedRepositories;
  /** Who, for rate limits and de-duplication: a user id or an anonymous id, never a token. */
  key: string;
}

/**
 * The caller of a tracking route: a signed-in user by a verified access token, else a visitor by
 * the signed proof this service issued (cookie, header, or a beacon body's `visitor` field).
 * supabase-js sends the project's anon (publishable) key as the bearer when no one is signed in:
 * that key, or a token of the `anon` role that names no visitor, proves nothing, so the visitor
 * proof decides then.
 */
export async function trackingCaller(
  c: Context,
  repos: RepositoryFactory,
  bodyProof?: unknown,
): Promise<TrackingCaller | undefined> {
  const authorization = c.req.header('authorization');
  if (authorization && !isPublicApiKey(authorization)) {
    const scoped = await repos.fromAccessToken(authorization);
    const identity = identityOf(scoped);
    if (identity) return { repos: scoped, key: identity };
  }
  const proof = c.req.header(VISITOR_HEADER) ?? getCookie(c, VISITOR_COOKIE) ?? bodyProof;
  if (proof === undefined) return undefined;
  const visitor = await repos.fromAnonymousProof(proof);
  return { repos: visitor, key: identityOf(visitor) ?? 'v:unknown' };
}

/**
 * A new visitor: an anonymous id issued and kept in the visitor cookie, so its later requests
 * are the same caller. Each address may make VISITOR_IDS_PER_IP_PER_HOUR; past that, 429.
 */
export async function newVisitor(
  c: Context,
  services: Services,
): Promise<TrackingCaller & { issued: { anonymousId: string; proof: string } }> {
  const wait = await overLimit(services.limits.visitorIds, c.get('addressKey'));
  if (wait !== undefined) {
    throw new ProblemError(429, 'too many new visitors from this address', {
      headers: { 'retry-after': String(wait) },
    });
  }
  const issued = await services.repos.issueAnonymousId();
  keepVisitor(c, services.config, issued.proof);
  return {
    repos: await services.repos.fromAnonymousProof(issued.proof),
    key: `v:${issued.anonymousId}`,
    issued,
  };
}

/** Each visitor may send so many tracking requests a minute (after the per-address limit). */
export async function limitVisitor(services: Services, caller: TrackingCaller): Promise<void> {
  const wait = await overLimit(services.limits.visitor, caller.key);
  if (wait !== undefined) {
    throw new ProblemError(429, 'too many tracking requests from this visitor', {
      headers: { 'retry-after': String(wait) },
    });
  }
}

/** Like `trackingCaller`, but a caller is required: 401 with what to do otherwise. */
export async function requireTrackingCaller(
  c: Context,
  repos: RepositoryFactory,
  bodyProof?: unknown,
): Promise<TrackingCaller> {
  const caller = await trackingCaller(c, repos, bodyProof);
  if (!caller) {
    throw new ProblemError(
      401,
      'no caller: sign in, or start a session (POST /v1/sessions) to get a visitor id',
      { headers: { 'www-authenticate': 'Bearer' } },
    );
  }
  return caller;
}

/** A signed-in user (a Supabase user, anonymous sign-ins included) by a verified access token. */
export interface SignedInUser {
  repos: ScopedRepositories;
  userId: string;
}

/** The env of a route behind `signedIn`: `c.var.user` is the verified user. */
export type SignedInEnv = { Variables: ApiEnv['Variables'] & { user: SignedInUser } };

/** Middleware: a signed-in user (401/403 otherwise), as `c.var.user` for the handlers after it. */
export const signedIn = (repos: RepositoryFactory) =>
  createMiddleware<SignedInEnv>(async (c, next) => {
    c.set('user', await requireUser(c, repos));
    await next();
  });

/** Middleware: the service caller only (see `requireService`). */
export const serviceOnly = (config: Config, serviceTokens: RepositoryFactory) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    await requireService(c, config, serviceTokens);
    await next();
  });

export async function requireUser(c: Context, repos: RepositoryFactory): Promise<SignedInUser> {
  const authorization = c.req.header('authorization');
  if (!authorization) {
    throw new ProblemError(
      401,
      'sign in: this route needs a Supabase access token (Authorization: Bearer …)',
      {
        headers: { 'www-authenticate': 'Bearer' },
      },
    );
  }
  const scoped = await repos.fromAccessToken(authorization);
  const key = identityOf(scoped);
  if (!key?.startsWith('u:')) {
    throw new ProblemError(
      403,
      'this route is for signed-in users; the token is not a user session',
    );
  }
  return { repos: scoped, userId: key.slice(2) };
}

/**
 * The service caller: one of SERVICE_API_KEYS (compared in constant time, as digests so their
 * lengths do not show either), or a verified access token of the `service_role` (the project's
 * service key). A verified token of anyone else is 403; a token that does not verify is 401.
 */
export async function requireService(
  c: Context,
  config: Config,
  serviceTokens: RepositoryFactory,
): Promise<void> {
  const given = c.req
    .header('authorization')
    ?.replace(/^bearer\s+/i, '')
    .trim();
  if (!given) {
    throw new ProblemError(401, 'this route needs a service key (Authorization: Bearer <key>)', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  const digest = sha256(given);
  if (config.SERVICE_API_KEYS.some((key) => timingSafeEqual(sha256(key), digest))) return;
  if (given.split('.').length === 3) {
    if (await isServiceRoleApiKey(given, config.SUPABASE_JWT_SECRET)) return;
    const { identity } = await serviceTokens.fromAccessToken(given);
    if (identity.role === 'service_role') return;
  }
  throw new ProblemError(
    403,
    "these routes are for the service: the credential is not the service's",
  );
}

/** Sets the visitor's proof as an HttpOnly cookie (cross-site when CORS origins are configured). */
export function keepVisitor(c: Context, config: Config, proof: string): void {
  const crossSite = config.CORS_ORIGINS.length > 0;
  setCookie(c, VISITOR_COOKIE, proof, {
    httpOnly: true,
    path: '/',
    maxAge: 400 * 24 * 3600,
    sameSite: crossSite ? 'None' : 'Lax',
    secure: crossSite || config.NODE_ENV === 'production',
  });
}

/**
 * The client's address: the socket's peer, or — behind TRUST_PROXY_HOPS proxies — the address the
 * outermost trusted proxy saw, from the right of X-Forwarded-For (the left is the client's word).
 */
export function clientAddress(c: Context, config: Config): string {
  if (config.TRUST_PROXY_HOPS > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const seen = hops[hops.length - config.TRUST_PROXY_HOPS];
    if (seen && isAddress(seen)) return seen;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const isAddress = (text: string) => /^[0-9a-f:.]{2,45}$/i.test(text);

/** An address as logs and rate-limit keys carry it: keyed hash, not reversible without the key. */
export function addressHash(address: string, secret: string): string {
  return createHmac('sha256', secret).update(`ip:${address}`).digest('base64url').slice(0, 16);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** `u:<user id>` for a user, `v:<anonymous id>` for a visitor with one, else undefined. */
function identityOf({ identity }: ScopedRepositories): string | undefined {
  if (identity.role === 'authenticated') return `u:${identity.userId}`;
  if (identity.role === 'anon' && identity.anonymousId) return `v:${identity.anonymousId}`;
  return undefined;
}
