import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A network's name as it appears in URLs and in `affiliate_clicks.affiliate_network`. */
const networkName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'network names are a-z, 0-9, _ and -');

/** A host pattern: `shop.example` (that host only) or `*.example` (its subdomains, not itself). */
const hostPattern = z
  .string()
  .regex(
    /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/,
    'hosts look like "shop.example" or "*.shop.example"',
  );

/** A JSON value in one environment variable, checked by `schema`. */
const jsonEnv = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const list = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/**
 * Every setting the service reads from its environment, with the default that lets `npm run api`
 * start on a fresh checkout. Secrets are never echoed in errors.
 */
const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** The loopback interface by default; `0.0.0.0` in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
  ACLUE_DATA_DIR: z.string().min(1).optional(),
  /** Connections in the server pool (ignored by the embedded database). */
  DATABASE_POOL_SIZE: count(10),
  /**
   * Streaming replicas of DATABASE_URL, comma-separated: analytics and the dashboard read them;
   * tracking, conversions and a caller's own reads stay on the primary.
   */
  DATABASE_REPLICA_URLS: list.pipe(z.array(z.string().url('must be postgres:// URLs'))).default([]),
  /** Exactly the access tokens' `iss`: `https://<project>.supabase.co/auth/v1`. */
  AUTH_ISSUER: z.string().url().default('http://127.0.0.1:54321/auth/v1'),
  /** The project's legacy JWT secret (HS256 tokens); asymmetric keys come from the JWKS URL. */
  SUPABASE_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SUPABASE_JWKS_URL: z.string().url().optional(),
  /**
   * After fetching the signing keys, seconds during which a token naming an unknown key id is
   * refused without fetching them again (made-up `kid`s cannot drive requests to the key server).
   */
  SUPABASE_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /** Signs the visitor ids this service issues (at least 32 characters, not the JWT secret). */
  ANONYMOUS_ID_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Keys that open the analytics endpoints (`Authorization: Bearer <key>`), comma-separated. */
  SERVICE_API_KEYS: list
    .pipe(z.array(z.string().min(32, 'each key must be at least 32 characters')))
    .default([]),
  /** `{"network": "secret"}`: who may report conversions, and the key each signs with. */
  WEBHOOK_SECRETS: jsonEnv(
    z.record(networkName, z.string().min(32, 'each secret must be at least 32 characters')),
  ).default({}),
  /** Seconds a webhook's signed timestamp may differ from this server's clock. */
  WEBHOOK_TOLERANCE_SECONDS: count(300),
  /** `{"network": ["host", "*.host"]}`: where the click redirect may send a visitor. */
  REDIRECT_ALLOW_LIST: jsonEnv(z.record(networkName, z.array(hostPattern).max(100))).default({}),
  /**
   * `{"network": "param"}`: the query parameter each network takes a sub-id in (Awin `clickref`,
   * CJ `sid`, Impact `subId1`, …); the redirect puts our click id there, the network reports it back.
   */
  CLICK_ID_PARAMS: jsonEnv(
    z.record(
      networkName,
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'parameter names are 1-64 of A-Z, a-z, 0-9, _ . -'),
    ),
  ).default({}),
  /** A repeated click on the same product in the same session within this window counts once. */
  CLICK_DEDUPE_SECONDS: count(10),
  /** Redis for rate limits and click de-duplication; `memory` keeps both in this process. */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  RATE_LIMIT_PER_IP_PER_MINUTE: count(1200),
  RATE_LIMIT_PER_VISITOR_PER_MINUTE: count(300),
  /** New visitor ids one address may ask for per hour. */
  VISITOR_IDS_PER_IP_PER_HOUR: count(60),
  /**
   * New sessions one visitor or user may start per hour. The database refuses more than its own
   * quota (60, declared on session_analytics) whichever way they come; this answers first, with
   * a Retry-After.
   */
  SESSIONS_PER_VISITOR_PER_HOUR: count(30),
  /** Origins whose pages may call the tracking routes (CORS), comma-separated. */
  CORS_ORIGINS: list.pipe(z.array(z.string().url())).default([]),
  /** Proxies in front of this service whose X-Forwarded-For is believed (0: none). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Seconds between the analytics' rollup refreshes this process runs (0: none, an operator's
   * `aclue-db rollups refresh` does it). Default: 300 on the embedded database, 0 on a server.
   */
  ROLLUP_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).optional(),
  /** Seconds SIGTERM waits for in-flight requests before closing anyway. */
  SHUTDOWN_GRACE_SECONDS: count(10),
});

export type Config = Omit<z.output<typeof environment>, 'ANONYMOUS_ID_SECRET'> & {
  ANONYMOUS_ID_SECRET: string;
  /** True when ANONYMOUS_ID_SECRET was not set and one was made up for this process. */
  ephemeralAnonymousIdSecret: boolean;
};

/** The configuration is unusable; the message is one line naming each variable and its rule. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and checks the environment. In production, a visitor-id secret must be given (a made-up
 * one would log every visitor out on restart); elsewhere one is made up, and said so.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in environment.shape && value !== ''),
  );
  const parsed = environment.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (config.ANONYMOUS_ID_SECRET && config.ANONYMOUS_ID_SECRET === config.SUPABASE_JWT_SECRET) {
    throw new ConfigError(
      'invalid configuration: ANONYMOUS_ID_SECRET must differ from SUPABASE_JWT_SECRET',
    );
  }
  if (config.DATABASE_REPLICA_URLS.length > 0 && !config.DATABASE_URL) {
    throw new ConfigError(
      'invalid configuration: DATABASE_REPLICA_URLS needs DATABASE_URL (the embedded database has no replicas)',
    );
  }
  if (!config.ANONYMOUS_ID_SECRET && config.NODE_ENV === 'production') {
    throw new ConfigError(
      'invalid configuration: ANONYMOUS_ID_SECRET is required in production (32+ characters)',
    );
  }
  return {
    ...config,
    ANONYMOUS_ID_SECRET: config.ANONYMOUS_ID_SECRET ?? randomBytes(32).toString('hex'),
    ephemeralAnonymousIdSecret: !config.ANONYMOUS_ID_SECRET,
  };
}
