import { randomBytes, randomUUID } from 'node:crypto';
import { type Database, queryRows } from '@aclue/db';
import { products } from '@aclue/db/schema';
import { createTestDatabase, type TestDatabase, type TestDriver } from '@aclue/db/testing';
import { type SQL, sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { createApp, createServices, loadConfig, type Services } from '../src';

export const ISSUER = 'https://test-project.supabase.co/auth/v1';
export const SERVICE_KEY = randomBytes(24).toString('hex');
export const NETWORK_SECRET = randomBytes(24).toString('hex');
const JWT_SECRET = randomBytes(32).toString('hex');

/** The environment a test service runs with; `overrides` change or add variables. */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_ISSUER: ISSUER,
    SUPABASE_JWT_SECRET: JWT_SECRET,
    ANONYMOUS_ID_SECRET: randomBytes(32).toString('hex'),
    SERVICE_API_KEYS: SERVICE_KEY,
    WEBHOOK_SECRETS: JSON.stringify({ shopnet: NETWORK_SECRET }),
    REDIRECT_ALLOW_LIST: JSON.stringify({ shopnet: ['shop.test', '*.shop.test'] }),
    CLICK_ID_PARAMS: JSON.stringify({ shopnet: 'subid' }),
    REDIS_URL: 'memory',
    TRUST_PROXY_HOPS: '1',
    ...overrides,
  };
}

export interface TestApi {
  db: Database;
  test: TestDatabase;
  services: Services;
  /** Sends a request to the app in process, from client address `ip` (X-Forwarded-For). */
  request(path: string, init?: RequestInit & { ip?: string }): Promise<Response>;
  dispose(): Promise<void>;
}

/** The app over a fresh migrated database of `driver`, called in process (no socket). */
export async function createTestApi(
  driver: TestDriver,
  overrides: Record<string, string> = {},
): Promise<TestApi> {
  const test = await createTestDatabase(driver);
  const config = loadConfig(testEnvironment(overrides));
  const services = await createServices(config, test.db, pino({ level: 'silent' }));
  const app = createApp(services);
  return {
    db: test.db,
    test,
    services,
    request: async (path, { ip = '203.0.113.7', headers, ...init } = {}) =>
      await app.request(path, {
        ...init,
        headers: { 'x-forwarded-for': ip, ...Object.fromEntries(new Headers(headers)) },
      }),
    dispose: async () => {
      await services.state.close();
      await test.dispose();
    },
  };
}

/** A Supabase-style access token for `sub`, signed with the test project's secret. */
export function accessToken(
  sub: string,
  { role = 'authenticated', issuer = ISSUER, ...claims }: Record<string, unknown> = {},
): Promise<string> {
  const token = new SignJWT({ role, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(issuer as string)
    .setAudience('authenticated')
    .setIssuedAt();
  // An `exp` among the claims (an expired token) stands; otherwise ten minutes.
  if (claims.exp === undefined) token.setExpirationTime('10m');
  return token.sign(new TextEncoder().encode(JWT_SECRET));
}

/** A legacy Supabase API key (`anon` or `service_role`) of the test project, as supabase-js sends it. */
export function apiKey(role: 'anon' | 'service_role', secret = JWT_SECRET): Promise<string> {
  return new SignJWT({ iss: 'supabase', ref: 'test-project', role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('10y')
    .sign(new TextEncoder().encode(secret));
}

/** A catalogue product whose affiliate link goes to `url` on `network`. */
export async function product(
  db: Database,
  { network = 'shopnet', url = 'https://www.shop.test/p/1?tag=aclue-21' } = {},
): Promise<string> {
  const [row] = await db
    .insert(products)
    .values({
      title: `Lamp ${randomUUID().slice(0, 8)}`,
      affiliateNetwork: network,
      affiliateUrl: url,
      commissionRate: 0.05,
      priceMin: 40,
    })
    .returning({ id: products.id });
  return row?.id ?? '';
}

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Starts a session as a new visitor; returns its session id and the visitor's proof header. */
export async function visitorSession(api: TestApi, ip?: string) {
  const response = await api.request('/v1/sessions', {
    ...json({ landingPage: '/' }),
    ...(ip ? { ip } : {}),
  });
  const body = (await response.json()) as {
    sessionId: string;
    visitor: { anonymousId: string; proof: string };
  };
  return { ...body, headers: { 'x-visitor-proof': body.visitor.proof } };
}

/** A response's JSON body, loosely typed: the tests state what they expect of it. */
// biome-ignore lint/suspicious/noExplicitAny: assertions on response bodies read any field
export const bodyOf = (response: Response): Promise<Record<string, any>> =>
  response.json() as never;

/** Rows in `table` matching `where`. */
export async function count(api: { db: Database }, table: string, where: SQL = sql`true`) {
  const [row] = await queryRows<{ n: number }>(
    api.db,
    sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${where}`,
  );
  return Number(row?.n);
}
