import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/**
 * Where rate-limit counters and click de-duplication marks live: Redis, shared by every instance
 * of the service, or — when Redis is absent — this process's memory, which the log says once.
 */
export interface SharedState {
  readonly mode: 'redis' | 'memory';
  /** A limiter of `points` per `seconds` per key, falling back to memory if Redis fails later. */
  limiter(name: string, points: number, seconds: number): RateLimiterAbstract;
  /** True the first time `key` is claimed within `seconds`; false while the claim lasts. */
  claimOnce(key: string, seconds: number): Promise<boolean>;
  /** Gives a claim back (the work it guarded failed, so a retry must count). */
  release(key: string): Promise<void>;
  /** Stores what the claimed work produced (a click id), for repeats while the claim lasts. */
  remember(key: string, value: string, seconds: number): Promise<void>;
  /** What `remember` stored under a live claim, if anything yet. */
  recall(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Connects to Redis at `url` (or `memory`); an unreachable Redis means memory, said once. */
export async function connectSharedState(url: string, log: Logger): Promise<SharedState> {
  if (url === 'memory') return memoryState();
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection trouble after start-up: the limiters' in-memory insurance takes over meanwhile.
  let warned = false;
  redis.on('error', () => {
    if (!warned)
      log.warn('redis unreachable: rate limits fall back to this process until it returns');
    warned = true;
  });
  redis.on('ready', () => {
    warned = false;
  });
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    log.warn(
      { redis: redactRedis(url) },
      'redis is not reachable: rate limits and click de-duplication are kept in this process only',
    );
    return memoryState();
  }
  const memory = memoryState();
  return {
    mode: 'redis',
    limiter: (name, points, seconds) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `aclue:rl:${name}`,
        points,
        duration: seconds,
        insuranceLimiter: memory.limiter(name, points, seconds),
      }),
    claimOnce: async (key, seconds) => {
      try {
        return (await redis.set(`aclue:once:${key}`, '1', 'EX', seconds, 'NX')) === 'OK';
      } catch {
        return memory.claimOnce(key, seconds);
      }
    },
    release: async (key) => {
      await redis.del(`aclue:once:${key}`).catch(() => memory.release(key));
    },
    remember: async (key, value, seconds) => {
      await redis
        .set(`aclue:once:${key}`, value, 'EX', seconds, 'XX')
        .catch(() => memory.remember(key, value, seconds));
    },
    recall: async (key) => {
      const value = await redis.get(`aclue:once:${key}`).catch(() => memory.recall(key));
      return value && value !== '1' ? value : undefined;
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function memoryState(): SharedState {
  const claims = new Map<string, { until: number; value?: string }>();
  const live = (key: string) => {
    const claim = claims.get(key);
    return claim && claim.until > Date.now() ? claim : undefined;
  };
  return {
    mode: 'memory',
    limiter: (name, points, seconds) =>
      new RateLimiterMemory({ keyPrefix: name, points, duration: seconds }),
    claimOnce: async (key, seconds) => {
      if (live(key)) return false;
      const now = Date.now();
      claims.set(key, { until: now + seconds * 1000 });
      if (claims.size > 100_000) {
        for (const [k, claim] of claims) if (claim.until <= now) claims.delete(k);
      }
      return true;
    },
    release: async (key) => {
      claims.delete(key);
    },
    remember: async (key, value, seconds) => {
      if (live(key)) claims.set(key, { until: Date.now() + seconds * 1000, value });
    },
    recall: async (key) => live(key)?.value,
    close: async () => {},
  };
}

/** Consumes one point; resolves to the wait in seconds when the key is over its limit. */
export async function overLimit(
  limiter: RateLimiterAbstract,
  key: string,
): Promise<number | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes)
      return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    // Neither Redis nor the insurance answered: fail open rather than refuse all traffic.
    return undefined;
  }
}

const redactRedis = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
