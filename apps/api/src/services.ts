import type { Database } from '@aclue/db';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RepositoryFactory } from './callers';
import type { Config } from './config';
import type { SharedState } from './limits';

/** What the routes work with; `createServices` builds it from the configuration. */
export interface Services {
  config: Config;
  db: Database;
  repos: RepositoryFactory;
  /** The same, accepting `service_role` tokens: used only to recognise the service. */
  serviceTokens: RepositoryFactory;
  state: SharedState;
  limits: {
    /** Every request, per client address. */
    address: RateLimiterAbstract;
    /** Tracking requests, per visitor or user. */
    visitor: RateLimiterAbstract;
    /** New visitor ids, per client address. */
    visitorIds: RateLimiterAbstract;
    /** New sessions, per visitor or user. */
    sessions: RateLimiterAbstract;
  };
  log: Logger;
  /** True once SIGTERM arrived: readiness fails so a load balancer stops sending requests. */
  shuttingDown(): boolean;
}
