import {
  type SessionEnd,
  type SessionTouch,
  sessionEndInput,
  sessionTouchInput,
} from '@aclue/repositories';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  limitVisitor,
  newVisitor,
  requireTrackingCaller,
  type TrackingCaller,
  trackingCaller,
} from '../callers';
import { type Api, problems, readBody, readParams, route, security, sizeLimit } from '../http';
import { beaconVisitor, callerRow } from '../inputs';
import { overLimit } from '../limits';
import { ProblemError } from '../problems';
import type { Services } from '../services';

/** Views in one request: a page's impressions and detail views since the last beacon. */
export const MAX_VIEWS_PER_BATCH = 500;

const sessionParams = z.object({ sessionId: z.string().min(1).max(128) });
const sessionSummary = z.object({
  sessionId: z.string(),
  pagesViewed: z.number().int(),
  isActive: z.boolean(),
  lastActivityAt: z.string(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().int().nullable(),
});

const startBody = callerRow('sessionAnalytics').extend({ visitor: beaconVisitor });
const touchBody = sessionTouchInput.omit({ sessionId: true }).extend({ visitor: beaconVisitor });
const endBody = sessionEndInput.omit({ sessionId: true }).extend({ visitor: beaconVisitor });
const viewsBody = z.object({
  views: z
    .array(callerRow('productViews'))
    .min(1, 'views must hold at least one view')
    .max(MAX_VIEWS_PER_BATCH, `views must hold at most ${MAX_VIEWS_PER_BATCH} views`),
  visitor: beaconVisitor,
});

// What the handlers check themselves: the envelope. The rows' own rules are checked once, by the
// repositories, which refuse a field the caller may not write (instead of dropping it silently)
// and name the row, field and rule; the schemas above document the same rules.
const envelope = z.looseObject({ visitor: beaconVisitor });
const viewsEnvelope = z.object({
  views: z
    .array(z.unknown())
    .min(1, 'views must hold at least one view')
    .max(MAX_VIEWS_PER_BATCH, `views must hold at most ${MAX_VIEWS_PER_BATCH} views`),
  visitor: beaconVisitor,
});

const json = (schema: z.ZodType, beacon = false) => ({
  content: {
    'application/json': { schema },
    ...(beacon ? { 'text/plain': { schema } } : {}),
  },
  required: true,
});

async function caller(c: Context, services: Services, visitor: unknown): Promise<TrackingCaller> {
  const found = await requireTrackingCaller(c, services.repos, visitor);
  await limitVisitor(services, found);
  return found;
}

const summary = (row: {
  sessionId: string;
  pagesViewed: number;
  isActive: boolean;
  lastActivityAt: Date;
  endedAt: Date | null;
  durationSeconds: number | null;
}) => ({
  sessionId: row.sessionId,
  pagesViewed: row.pagesViewed,
  isActive: row.isActive,
  lastActivityAt: row.lastActivityAt.toISOString(),
  endedAt: row.endedAt?.toISOString() ?? null,
  durationSeconds: row.durationSeconds,
});

/** Sessions and product views: what a browser reports, as the visitor or user it is. */
export function trackingRoutes(app: Api, services: Services): void {
  const { repos } = services;

  route(
    app,
    createRoute({
      method: 'post',
      path: '/v1/sessions',
      operationId: 'startSession',
      security: security.anyone,
      tags: ['tracking'],
      summary: 'Start a browser session (issues a visitor id to a caller without one)',
      request: { body: json(startBody) },
      responses: {
        201: {
          description: 'started',
          content: {
            'application/json': {
              schema: z.object({
                sessionId: z.string(),
                visitor: z.object({ anonymousId: z.string(), proof: z.string() }).optional(),
              }),
            },
          },
        },
        ...problems(401, 413, 415, 422, 429, 503),
      },
    }),
    sizeLimit(16 * 1024),
    async (c) => {
      const { visitor: proof, ...start } = await readBody(c, envelope);
      let found = await trackingCaller(c, repos, proof);
      let issued: { anonymousId: string; proof: string } | undefined;
      if (!found) {
        const visitor = await newVisitor(c, services);
        found = visitor;
        issued = visitor.issued;
      }
      await limitVisitor(services, found);
      const wait = await overLimit(services.limits.sessions, found.key);
      if (wait !== undefined) {
        throw new ProblemError(429, 'too many new sessions for this visitor: continue one', {
          headers: { 'retry-after': String(wait) },
        });
      }
      const { sessionId } = await found.repos.sessions.startSession(
        start as Parameters<TrackingCaller['repos']['sessions']['startSession']>[0],
      );
      return c.json({ sessionId, ...(issued ? { visitor: issued } : {}) }, 201);
    },
  );

  route(
    app,
    createRoute({
      method: 'post',
      path: '/v1/sessions/{sessionId}/touch',
      operationId: 'touchSession',
      security: security.visitorOrUser,
      tags: ['tracking'],
      summary: 'Record activity in a session: a page, counters',
      request: { params: sessionParams, body: json(touchBody, true) },
      responses: {
        200: {
          description: 'the session now',
          content: { 'application/json': { schema: sessionSummary } },
        },
        ...problems(401, 404, 413, 415, 422, 429, 503),
      },
    }),
    sizeLimit(16 * 1024),
    async (c) => {
      const { sessionId } = readParams(c, sessionParams);
      const { visitor, ...touch } = await readBody(c, envelope);
      const found = await caller(c, services, visitor);
      return c.json(
        summary(
          await found.repos.sessions.touchSession({
            ...(touch as object),
            sessionId,
          } as SessionTouch),
        ),
      );
    },
  );

  route(
    app,
    createRoute({
      method: 'post',
      path: '/v1/sessions/{sessionId}/end',
      operationId: 'endSession',
      security: security.visitorOrUser,
      tags: ['tracking'],
      summary: 'End a session (works from navigator.sendBeacon on pagehide)',
      request: { params: sessionParams, body: json(endBody, true) },
      responses: {
        200: {
          description: 'the ended session',
          content: { 'application/json': { schema: sessionSummary } },
        },
        ...problems(401, 404, 413, 415, 422, 429, 503),
      },
    }),
    sizeLimit(16 * 1024),
    async (c) => {
      const { sessionId } = readParams(c, sessionParams);
      const { visitor, ...end } = await readBody(c, envelope);
      const found = await caller(c, services, visitor);
      return c.json(
        summary(
          await found.repos.sessions.endSession({ ...(end as object), sessionId } as SessionEnd),
        ),
      );
    },
  );

  route(
    app,
    createRoute({
      method: 'post',
      path: '/v1/views',
      operationId: 'recordViews',
      security: security.visitorOrUser,
      tags: ['tracking'],
      summary: `Record up to ${MAX_VIEWS_PER_BATCH} product views, all or nothing (JSON or a beacon)`,
      request: { body: json(viewsBody, true) },
      responses: {
        201: {
          description: 'every view recorded',
          content: { 'application/json': { schema: z.object({ recorded: z.number().int() }) } },
        },
        ...problems(401, 404, 413, 415, 422, 429, 503),
      },
    }),
    sizeLimit(512 * 1024),
    async (c) => {
      const { visitor, views } = await readBody(c, viewsEnvelope);
      const found = await caller(c, services, visitor);
      const { recorded } = await found.repos.productViews.recordProductViews(
        views as Parameters<TrackingCaller['repos']['productViews']['recordProductViews']>[0],
      );
      return c.json({ recorded }, 201);
    },
  );
}
