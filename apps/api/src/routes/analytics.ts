import { type AttributionDimension, periodInput } from '@aclue/repositories';
import { createRoute, z } from '@hono/zod-openapi';
import { requireService } from '../callers';
import { type Api, problems, readQuery, route } from '../http';
import type { Services } from '../services';

const revenueQuery = periodInput.safeExtend({
  by: z
    .enum(['network', 'sourcePage', 'device', 'campaign'] satisfies AttributionDimension[])
    .default('network'),
});
const popularityQuery = periodInput.safeExtend({
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(100, 'limit must be at most 100')
    .default(20),
});

/**
 * The business reports, for the service (a SERVICE_API_KEYS key): the repositories' analytics
 * over a period, as JSON.
 */
export function analyticsRoutes(app: Api, services: Services): void {
  const { config, repos } = services;
  const report = (
    path: string,
    summary: string,
    query: z.ZodType,
    run: (q: never) => Promise<unknown>,
  ) =>
    route(
      app,
      createRoute({
        method: 'get',
        path: `/v1/analytics/${path}`,
        tags: ['analytics'],
        summary,
        security: [{ serviceKey: [] }],
        request: { query: query as z.ZodObject },
        responses: {
          200: {
            description: summary,
            content: { 'application/json': { schema: z.looseObject({}) } },
          },
          ...problems(401, 403, 422, 503),
        },
      }),
      async (c) => {
        requireService(c, config);
        const q = readQuery(c, query);
        return c.json({
          period: { from: c.req.query('from'), to: c.req.query('to') },
          data: await run(q as never),
        });
      },
    );
  const analytics = () => repos.asService().analytics;
  report(
    'revenue',
    'Revenue attribution by network, source page, device or campaign',
    revenueQuery,
    (q: z.output<typeof revenueQuery>) => analytics().revenueAttribution(q),
  );
  report(
    'ctr',
    'Click-through rate by view source and list position',
    periodInput,
    (q: z.output<typeof periodInput>) => analytics().clickThroughRate(q),
  );
  report(
    'funnel',
    'Sessions → views → clicks → conversions',
    periodInput,
    (q: z.output<typeof periodInput>) => analytics().funnel(q),
  );
  report(
    'popularity',
    'The most converted, clicked and viewed products',
    popularityQuery,
    (q: z.output<typeof popularityQuery>) => analytics().productPopularity(q),
  );
  report(
    'engagement',
    'Session duration, pages, bounce and conversion rates',
    periodInput,
    (q: z.output<typeof periodInput>) => analytics().sessionEngagement(q),
  );
}
