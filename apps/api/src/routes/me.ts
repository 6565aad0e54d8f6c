import {
  type FeedbackInput,
  type PreferenceEdits,
  preferenceEditsInput,
} from '@aclue/repositories';
import { createRoute, z } from '@hono/zod-openapi';
import { type SignedInEnv, signedIn } from '../callers';
import { type Api, problems, readBody, readQuery, route, security, sizeLimit } from '../http';
import { callerRow, pageQuery } from '../inputs';
import type { Services } from '../services';

const anyJson = z.looseObject({});
const page = z.object({ items: z.array(z.looseObject({})), next: z.string().optional() });
const feedbackBody = callerRow('recommendationFeedback');

/** A signed-in user's own data, by a verified Supabase access token; RLS decides every row. */
export function meRoutes(app: Api, services: Services): void {
  const { repos } = services;
  const userOnly = signedIn(repos);
  const ok = (description: string, schema: z.ZodType) => ({
    200: { description, content: { 'application/json': { schema } } },
  });

  route<SignedInEnv>(
    app,
    createRoute({
      method: 'get',
      path: '/v1/me/clicks',
      operationId: 'listMyClicks',
      tags: ['me'],
      summary: 'My affiliate clicks, newest first, a keyset page at a time',
      security: security.user,
      request: { query: pageQuery },
      responses: {
        ...ok('a page of clicks; pass `next` as `after`', page),
        ...problems(401, 403, 422, 503),
      },
    }),
    userOnly,
    async (c) => {
      const { limit, after } = readQuery(c, pageQuery);
      const { user } = c.var;
      const page = await user.repos.affiliateClicks.listMine({
        limit,
        ...(after ? { after } : {}),
      });
      // What a click earned is the business's: the repository reads the caller's columns only.
      return c.json(page);
    },
  );

  route<SignedInEnv>(
    app,
    createRoute({
      method: 'get',
      path: '/v1/me/preferences',
      operationId: 'getMyPreferences',
      tags: ['me'],
      summary: 'My preferences',
      security: security.user,
      responses: { ...ok('my preferences', anyJson), ...problems(401, 403, 404, 503) },
    }),
    userOnly,
    async (c) => {
      const { user } = c.var;
      return c.json(await user.repos.preferences.getMine());
    },
  );

  route<SignedInEnv>(
    app,
    createRoute({
      method: 'patch',
      path: '/v1/me/preferences',
      operationId: 'updateMyPreferences',
      tags: ['me'],
      summary: 'Change the preferences I set by hand',
      security: security.user,
      request: {
        body: { content: { 'application/json': { schema: preferenceEditsInput } }, required: true },
      },
      responses: {
        ...ok('my preferences now', anyJson),
        ...problems(401, 403, 413, 415, 422, 503),
      },
    }),
    userOnly,
    sizeLimit(64 * 1024),
    async (c) => {
      const edits = await readBody(c, anyJson);
      const { user } = c.var;
      return c.json(await user.repos.preferences.updateMine(edits as PreferenceEdits));
    },
  );

  route<SignedInEnv>(
    app,
    createRoute({
      method: 'post',
      path: '/v1/me/feedback',
      operationId: 'giveFeedback',
      tags: ['me'],
      summary: 'Feedback on one of my recommendations',
      security: security.user,
      request: {
        body: { content: { 'application/json': { schema: feedbackBody } }, required: true },
      },
      responses: {
        201: {
          description: 'recorded',
          content: { 'application/json': { schema: z.object({ id: z.string() }) } },
        },
        ...problems(401, 403, 404, 413, 415, 422, 503),
      },
    }),
    userOnly,
    sizeLimit(64 * 1024),
    async (c) => {
      const feedback = await readBody(c, anyJson);
      const { user } = c.var;
      return c.json(await user.repos.feedback.recordFeedback(feedback as FeedbackInput), 201);
    },
  );

  route<SignedInEnv>(
    app,
    createRoute({
      method: 'get',
      path: '/v1/me/export',
      operationId: 'exportMyData',
      tags: ['me'],
      summary: 'Everything stored about me (GDPR access), as JSON',
      security: security.user,
      responses: { ...ok('my data', anyJson), ...problems(401, 403, 503) },
    }),
    userOnly,
    async (c) => {
      const { userId } = c.var.user;
      const data = await repos.asService().privacy.exportUserData(userId);
      c.header('content-disposition', 'attachment; filename="aclue-data.json"');
      c.header('cache-control', 'no-store');
      return c.json(data);
    },
  );
}
