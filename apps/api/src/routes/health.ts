import { migrationStatus } from '@aclue/db';
import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { type Api, route } from '../http';
import type { Services } from '../services';

const status = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() });
const answers = (ok: string) => ({
  200: { description: ok, content: { 'application/json': { schema: status } } },
  503: { description: 'not ready', content: { 'application/json': { schema: status } } },
});

/** Liveness (the process answers) and readiness (the database answers and is migrated). */
export function healthRoutes(app: Api, services: Services): void {
  // Probes arrive every few seconds and need no authentication: the answer is worked out at most
  // once a second, and concurrent probes share it (reading the migration files is not free).
  let cached: { at: number; pending: Promise<number> } | undefined;
  const readiness = () => {
    if (!cached || Date.now() - cached.at > 1000) {
      const pending = services.db
        .execute(sql`SELECT 1`)
        .then(() => migrationStatus(services.db))
        .then((states) => states.filter((m) => m.state !== 'applied').length);
      pending.catch(() => {
        cached = undefined;
      });
      cached = { at: Date.now(), pending };
    }
    return cached.pending;
  };

  route(
    app,
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['health'],
      summary: 'The process is up',
      responses: answers('up'),
    }),
    (c) => c.json({ status: 'ok' as const }),
  );
  route(
    app,
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['health'],
      summary: 'The database is reachable and every migration is applied',
      responses: answers('ready'),
    }),
    async (c) => {
      c.header('cache-control', 'no-store');
      if (services.shuttingDown()) {
        return c.json({ status: 'unavailable' as const, detail: 'shutting down' }, 503);
      }
      try {
        const pending = await readiness();
        if (pending > 0) {
          return c.json(
            {
              status: 'unavailable' as const,
              detail: `${pending} migrations are not applied: run aclue-db migrate`,
            },
            503,
          );
        }
        return c.json({ status: 'ok' as const });
      } catch {
        return c.json(
          { status: 'unavailable' as const, detail: 'the database does not answer' },
          503,
        );
      }
    },
  );
}
