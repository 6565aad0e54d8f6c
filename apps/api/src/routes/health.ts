import { createRoute, z } from '@hono/zod-openapi';
import { type Api, route, security } from '../http';
import { pendingMigrations } from '../readiness';
import type { Services } from '../services';

const status = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() });
const answers = (ok: string) => ({
  200: { description: ok, content: { 'application/json': { schema: status } } },
  503: { description: 'not ready', content: { 'application/json': { schema: status } } },
});

/** Liveness (the process answers) and readiness (the database answers and is migrated). */
export function healthRoutes(app: Api, services: Services): void {
  const readiness = () => pendingMigrations(services.db);

  route(
    app,
    createRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      security: security.public,
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
      operationId: 'getReadiness',
      security: security.public,
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
