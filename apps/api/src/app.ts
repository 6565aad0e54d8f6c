import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { addressHash, clientAddress, VISITOR_COOKIE, VISITOR_HEADER } from './callers';
import type { ApiEnv } from './http';
import { overLimit } from './limits';
import { problem, problemOf } from './problems';
import { pendingMigrations } from './readiness';
import { analyticsRoutes } from './routes/analytics';
import { conversionRoutes } from './routes/conversions';
import { dashboardRoutes } from './routes/dashboard';
import { healthRoutes } from './routes/health';
import { meRoutes } from './routes/me';
import { redirectRoutes } from './routes/redirect';
import { trackingRoutes } from './routes/tracking';
import type { Services } from './services';

const requestIdShape = /^[\w-]{8,64}$/;

const sameOrigin = (origin: string, url: string) => {
  try {
    return new URL(origin).origin === new URL(url).origin;
  } catch {
    return false;
  }
};

/** The HTTP application: middleware, every route, the OpenAPI document and the error mapping. */
export function createApp(services: Services) {
  const { config, log } = services;
  const app = new OpenAPIHono<ApiEnv>();

  app.use(
    requestId({
      // A proxy's id is kept when it looks like one; anything else is replaced, not logged.
      generator: () => crypto.randomUUID(),
      limitLength: 64,
    }),
  );
  app.use(async (c, next) => {
    if (!requestIdShape.test(c.get('requestId'))) c.set('requestId', crypto.randomUUID());
    c.header('x-request-id', c.get('requestId'));
    c.header('x-content-type-options', 'nosniff');
    const address = clientAddress(c, config);
    c.set('address', address);
    c.set('addressKey', addressHash(address, config.ANONYMOUS_ID_SECRET));
    c.set('log', log.child({ requestId: c.get('requestId') }));
    const started = performance.now();
    await next();
    // Draining: a keep-alive client is told to reconnect (elsewhere) after this response, so
    // in-flight requests finish and no new ones arrive on old connections.
    if (services.shuttingDown()) c.header('connection', 'close');
    // Route patterns, not URLs: no session ids, no query strings, no addresses in clear.
    c.get('log').info(
      {
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        client: c.get('addressKey'),
      },
      'request',
    );
  });
  app.use(async (c, next) => {
    if (c.req.path === '/healthz' || c.req.path === '/readyz') return next();
    const wait = await overLimit(services.limits.address, c.get('addressKey'));
    if (wait !== undefined) {
      return problem(c, 429, 'too many requests from this address', {
        headers: { 'retry-after': String(wait) },
      });
    }
    return next();
  });
  // A database without every migration cannot serve a route that reads or writes it: 503, like
  // /readyz, instead of whatever the first missing table would make of the request. A database
  // that does not answer is left to the route (its error maps to 503 too).
  for (const path of ['/v1/*', '/r/*', '/webhooks/*']) {
    app.use(path, async (c, next) => {
      const pending = await pendingMigrations(services.db).catch(() => 0);
      if (pending > 0) {
        return problem(
          c,
          503,
          `the database is not migrated (${pending} migrations pending): run aclue-db migrate`,
          {
            headers: { 'retry-after': '30' },
          },
        );
      }
      return next();
    });
  }
  // The visitor cookie rides along on any site's POST (SameSite=None when CORS is on, and a
  // text/plain beacon needs no preflight): a tracking write from a page of another origin than
  // this service's or CORS_ORIGINS is refused, so no site can write into a visitor's history.
  const trackingWrites = ['/v1/sessions', '/v1/sessions/*', '/v1/views'];
  for (const path of trackingWrites) {
    app.post(path, async (c, next) => {
      const origin = c.req.header('origin');
      if (origin && !config.CORS_ORIGINS.includes(origin) && !sameOrigin(origin, c.req.url)) {
        return problem(
          c,
          403,
          "tracking writes come from the shop's own pages: this origin is not one of them",
        );
      }
      return next();
    });
  }
  if (config.CORS_ORIGINS.length > 0) {
    // Browsers on the shop's pages call the tracking routes; nothing else is cross-origin.
    const tracking = cors({
      origin: config.CORS_ORIGINS,
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['content-type', 'authorization', VISITOR_HEADER],
      credentials: true,
      maxAge: 600,
    });
    app.use('/v1/sessions', tracking);
    app.use('/v1/sessions/*', tracking);
    app.use('/v1/views', tracking);
  }

  healthRoutes(app, services);
  trackingRoutes(app, services);
  redirectRoutes(app, services);
  conversionRoutes(app, services);
  meRoutes(app, services);
  analyticsRoutes(app, services);
  dashboardRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'accessToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'a Supabase access token',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'serviceKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'one of SERVICE_API_KEYS',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'visitorProof', {
    type: 'apiKey',
    in: 'header',
    name: VISITOR_HEADER,
    description: 'the proof POST /v1/sessions issued to a visitor',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'visitorCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: VISITOR_COOKIE,
    description: 'the same proof, in the HttpOnly cookie this service sets',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'networkSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'x-aclue-signature',
    description: "t=<unix>,v1=<hex HMAC-SHA256 of 't.body'> with the network's secret",
  });
  // The server is the one the document was fetched from (behind a proxy, its public origin).
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Aclue tracking and conversion API',
      version: '0.2.0',
      description:
        'Sessions, product views, affiliate click redirects, conversion webhooks, my data and analytics.',
      license: { name: 'Proprietary' },
    },
    servers: [{ url: new URL(c.req.url).origin, description: 'this service' }],
  }));

  app.notFound((c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    const found = problemOf(error);
    if (found.unexpected) {
      // The class and SQLSTATE say what broke; the message may quote SQL or values, so it stays out.
      c.get('log')?.error(
        { err: { type: error.name, code: (error as { code?: unknown }).code } },
        'request failed unexpectedly',
      );
    }
    return problem(c, found.status, found.detail, found);
  });
  return app;
}
