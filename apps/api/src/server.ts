import type { AddressInfo } from 'node:net';
import { createDb, type Database, maintainPartitions, migrate, resolveDataDir } from '@aclue/db';
import { createRepositories } from '@aclue/repositories';
import { type ServerType, serve } from '@hono/node-server';
import { type Logger, pino } from 'pino';
import { createApp } from './app';
import type { Config } from './config';
import { connectSharedState } from './limits';
import { scheduleRollupRefresh } from './rollup-refresh';
import type { Services } from './services';

export interface RunningApi {
  /** Where it listens: `http://127.0.0.1:3000`. */
  url: string;
  services: Services;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to the grace period), then
   * closes the database and Redis. Every request answered 2xx before this resolves is stored.
   */
  close(): Promise<void>;
}

/** The structured logger: JSON lines; no tokens, cookies or addresses are ever passed to it. */
export const createLogger = (config: Config): Logger =>
  pino({ level: config.LOG_LEVEL, base: { service: 'aclue-api' } });

/**
 * Opens the database (embedded by default: migrated on start, as `aclue-db setup` would; a server
 * must be migrated by the operator), connects Redis, and listens.
 */
export async function startApi(
  config: Config,
  log = createLogger(config),
  /** A database the caller opened (and closes): the configuration's is not opened then. */
  { db: given }: { db?: Database } = {},
): Promise<RunningApi> {
  const db = given ?? (await openDatabase(config, log));
  let closing = false;
  const services = await createServices(config, db, log, () => closing);
  if (config.ephemeralAnonymousIdSecret) {
    log.warn(
      'ANONYMOUS_ID_SECRET is not set: visitor ids issued now stop verifying when this process ends',
    );
  }
  const app = createApp(services);
  const { state } = services;
  // The embedded database has no operator's cron: this process refreshes its rollups.
  const rollups = scheduleRollupRefresh(
    db,
    config.ROLLUP_REFRESH_SECONDS ?? (db.$driver === 'pglite' ? 300 : 0),
    log,
  );
  const server = await listen(app.fetch, config);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  log.info(
    { url, database: db.$driver === 'pglite' ? 'embedded' : 'server', rateLimits: state.mode },
    'listening',
  );

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      await stopAccepting(server, config.SHUTDOWN_GRACE_SECONDS * 1000);
      await rollups.stop();
      await Promise.allSettled([given ? undefined : db.$close(), state.close()]);
      log.info('stopped');
    })();
    return closed;
  };
  return { url, services, close };
}

/** Everything the routes need, over an open database (tests build the app on this directly). */
export async function createServices(
  config: Config,
  db: Database,
  log: Logger,
  shuttingDown: () => boolean = () => false,
): Promise<Services> {
  const state = await connectSharedState(config.REDIS_URL, log);
  const auth = {
    issuer: config.AUTH_ISSUER,
    ...(config.SUPABASE_JWT_SECRET ? { jwtSecret: config.SUPABASE_JWT_SECRET } : {}),
    ...(config.SUPABASE_JWKS_URL ? { jwksUrl: config.SUPABASE_JWKS_URL } : {}),
    jwksCooldownSeconds: config.SUPABASE_JWKS_COOLDOWN_SECONDS,
    anonymousIdSecret: config.ANONYMOUS_ID_SECRET,
  };
  return {
    config,
    db,
    repos: createRepositories(db, { auth }),
    serviceTokens: createRepositories(db, { auth: { ...auth, allowServiceRole: true } }),
    state,
    limits: {
      address: state.limiter('address', config.RATE_LIMIT_PER_IP_PER_MINUTE, 60),
      visitor: state.limiter('visitor', config.RATE_LIMIT_PER_VISITOR_PER_MINUTE, 60),
      visitorIds: state.limiter('visitor-ids', config.VISITOR_IDS_PER_IP_PER_HOUR, 3600),
      sessions: state.limiter('sessions', config.SESSIONS_PER_VISITOR_PER_HOUR, 3600),
    },
    log,
    shuttingDown,
  };
}

async function openDatabase(config: Config, log: Logger): Promise<Database> {
  if (config.DATABASE_URL) {
    return createDb({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      replicas: config.DATABASE_REPLICA_URLS,
    });
  }
  const dataDir = resolveDataDir(config.ACLUE_DATA_DIR);
  const db = await createDb({
    dataDir,
    create: true,
    onCreate: (dir) => log.info({ dataDir: dir }, 'creating a new embedded database'),
  });
  const { pending } = await migrate(db);
  if (pending.length > 0) log.info({ applied: pending.length }, 'embedded database migrated');
  // On a server the operator runs `aclue-db partitions maintain` (daily); here the API owns it.
  const created = (await maintainPartitions(db)).flatMap((p) => p.created);
  if (created.length > 0) log.info({ partitions: created }, 'partitions created');
  return db;
}

function listen(fetch: (request: Request) => Response | Promise<Response>, config: Config) {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(server),
    );
    server.once('error', reject);
  });
}

/**
 * `server.close()` stops accepting and resolves when every connection has ended; idle keep-alive
 * connections are closed at once, busy ones after their response. Past the grace period the rest
 * are cut.
 */
function stopAccepting(server: ServerType, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const http = server as import('node:http').Server;
    const timer = setTimeout(() => {
      http.closeAllConnections?.();
      resolve();
    }, graceMs);
    timer.unref();
    http.close(() => {
      clearTimeout(timer);
      resolve();
    });
    http.closeIdleConnections?.();
  });
}
