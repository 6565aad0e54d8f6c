import {
  type AttributionDimension,
  type Granularity,
  granularities,
  periodInput,
} from '@aclue/repositories';
import { operationsReport } from '@aclue/verification/monitor';
import { createRoute, z } from '@hono/zod-openapi';
import { serviceOnly } from '../callers';
import { toCsv } from '../csv';
import { type Api, problems, readQuery, route, security } from '../http';
import type { Services } from '../services';

const format = z.enum(['json', 'csv'], 'format must be json or csv').default('json');
const periodQuery = periodInput.safeExtend({ format });
const revenueQuery = periodQuery.safeExtend({
  by: z
    .enum(['network', 'sourcePage', 'device', 'campaign'] satisfies AttributionDimension[])
    .default('network'),
});
const overTimeQuery = periodQuery.safeExtend({
  granularity: z.enum(granularities, 'granularity must be day, week or month').default('day'),
});
const popularityQuery = periodQuery.safeExtend({
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(100, 'limit must be at most 100')
    .default(20),
});
const healthQuery = z.object({ format });

/**
 * The business reports and the database's health, for the service (a SERVICE_API_KEYS key or a
 * `service_role` token): the repositories' analytics as JSON, or CSV with `format=csv`.
 */
export function analyticsRoutes(app: Api, services: Services): void {
  const { config, repos, serviceTokens } = services;
  const serviceCaller = serviceOnly(config, serviceTokens);
  const report = <Q extends z.ZodObject>(
    path: string,
    summary: string,
    query: Q,
    run: (q: z.output<Q>) => Promise<unknown>,
    toRows: (data: never) => Record<string, unknown>[] = (data) => data,
  ) =>
    route(
      app,
      createRoute({
        method: 'get',
        path: `/v1/analytics/${path}`,
        tags: ['analytics'],
        summary,
        operationId: `analytics${path.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase())}`,
        security: security.service,
        request: { query },
        responses: {
          200: {
            description: summary,
            content: {
              'application/json': { schema: z.looseObject({ data: z.unknown() }) },
              'text/csv': { schema: z.string() },
            },
          },
          ...problems(401, 403, 422, 503),
        },
      }),
      serviceCaller,
      async (c) => {
        const q = readQuery(c, query) as z.output<Q> & { format: 'json' | 'csv' };
        const data = await run(q);
        c.header('cache-control', 'no-store');
        if (q.format === 'csv') {
          const rows = toRows(data as never);
          c.header('content-disposition', `attachment; filename="${path}.csv"`);
          return c.body(toCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
        }
        return c.json({ data });
      },
    );
  const analytics = () => repos.asService().analytics;
  const one = (row: unknown) => (row ? [row as Record<string, unknown>] : []);
  report(
    'revenue',
    'Revenue attribution by network, source page, device or campaign',
    revenueQuery,
    (q) => analytics().revenueAttribution(q),
  );
  report(
    'revenue-over-time',
    'Clicks, conversions and commission per day, week or month (UTC)',
    overTimeQuery,
    (q) => analytics().revenueOverTime({ ...q, granularity: q.granularity as Granularity }),
  );
  report('ctr', 'Click-through rate by view source and list position', periodQuery, (q) =>
    analytics().clickThroughRate(q),
  );
  report(
    'funnel',
    'Sessions → views → clicks → conversions',
    periodQuery,
    (q) => analytics().funnel(q),
    one,
  );
  report('popularity', 'The most converted, clicked and viewed products', popularityQuery, (q) =>
    analytics().productPopularity(q),
  );
  report(
    'engagement',
    'Session duration, pages, bounce and conversion rates',
    periodQuery,
    (q) => analytics().sessionEngagement(q),
    one,
  );
  report(
    'health',
    "The database's health: sizes, index use, cache hit ratio, dead tuples, slow statements",
    healthQuery,
    () => operationsReport(services.db),
    (sections: { title: string; rows: Record<string, unknown>[]; note?: string }[]) =>
      sections.flatMap((s) =>
        s.rows.length > 0
          ? s.rows.map((row) => ({ section: s.title, ...row }))
          : [{ section: s.title, note: s.note ?? '' }],
      ),
  );
}
