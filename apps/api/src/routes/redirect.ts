import {
  type ClickInput,
  NotFoundError,
  type Repositories,
  type SessionStart,
} from '@aclue/repositories';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { limitVisitor, newVisitor, type TrackingCaller, trackingCaller } from '../callers';
import { type Api, problems, readParams, readQuery, route, security } from '../http';
import { overLimit } from '../limits';
import { ProblemError } from '../problems';
import type { Services } from '../services';

const params = z.object({ productId: z.uuid() });
const text = (name: string, max: number) =>
  z.string().max(max, `${name} must be at most ${max} characters`).optional();
const query = z.object({
  s: z
    .string()
    .min(1, 's must not be empty')
    .max(128, 's must be at most 128 characters')
    .optional()
    .openapi({
      description:
        "the caller's session, when the page knows it; without it (a link in an e-mail, an ad, a fresh browser) the click gets a session of its own",
    }),
  src: text('src', 2048).openapi({
    description: 'the page the link was on (default: the referrer)',
  }),
  utm_source: text('utm_source', 200),
  utm_medium: text('utm_medium', 200),
  utm_campaign: text('utm_campaign', 200),
});

/**
 * Whether `url` may be redirected to for `network`: https, no credentials, default port, and a
 * host the network's allow-list names (`shop.example`) or covers (`*.shop.example`).
 */
export function allowedTarget(
  allowList: Record<string, string[]>,
  network: string | null,
  url: string | null,
): URL | undefined {
  if (!network || !url) return undefined;
  // Own keys only: a catalogue row naming `__proto__` or `constructor` is no network.
  const hosts = Object.hasOwn(allowList, network) ? allowList[network] : undefined;
  if (!hosts) return undefined;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'https:' || target.username || target.password || target.port) {
    return undefined;
  }
  const host = target.hostname.toLowerCase();
  const allowed = hosts.some((pattern) =>
    pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern,
  );
  return allowed ? target : undefined;
}

const subIdParameter = (params: Record<string, string>, network: string) =>
  Object.hasOwn(params, network) ? params[network] : undefined;

/** The id the first click of a burst recorded; it may still be in flight, so wait a little. */
async function recallClickId(state: Services['state'], key: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const id = await state.recall(key);
    if (id) return id;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

const deviceOf = (agent: string): ClickInput['deviceType'] =>
  /ipad|tablet|kindle|silk/i.test(agent)
    ? 'tablet'
    : /mobi|android|iphone/i.test(agent)
      ? 'mobile'
      : 'desktop';

const pathOf = (referrer: string | undefined) => {
  try {
    return referrer ? new URL(referrer).pathname : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Who opens a link without a person behind it: a HEAD request, a browser's speculative prefetch,
 * link previews (chat apps, social sites) and mail scanners. They are redirected, never counted.
 */
export function isPrefetchOrBot(method: string, header: (name: string) => string | undefined) {
  if (method === 'HEAD') return true;
  const purpose = `${header('purpose') ?? ''} ${header('sec-purpose') ?? ''} ${header('x-purpose') ?? ''} ${header('x-moz') ?? ''}`;
  if (/prefetch|preview|prerender/i.test(purpose)) return true;
  return previewAgents.test(header('user-agent') ?? '');
}

// Fetchers that announce themselves; in-app browsers (Facebook, LinkedIn, Pinterest, Outlook)
// carry their app's name but a person, so app names alone are not on the list.
const previewAgents =
  /(?<!cu)bot\b|bot\/|crawler|spider|preview|facebookexternalhit|facebookcatalog|whatsapp\/|embedly|vkshare|googleother|ms office|microsoft office|proofpoint|mimecast|barracuda|headlesschrome|curl\/|wget\/|python-requests|go-http-client/i;

/**
 * The click redirect: records the affiliate click as the caller, then 302 to the product's
 * affiliate URL — only to hosts its network's allow-list names, so no one can borrow this domain
 * to send people elsewhere. A link works wherever it is opened: a caller without a visitor id gets
 * one (cookie), and a click without a session of the caller's gets a new session. It counts once
 * per visitor and product within CLICK_DEDUPE_SECONDS; prefetchers and link previews, and callers
 * past a limit on new visitors or sessions, are redirected without being counted.
 */
export function redirectRoutes(app: Api, services: Services): void {
  const { config, repos, state } = services;
  route(
    app,
    createRoute({
      method: 'get',
      path: '/r/{productId}',
      operationId: 'followClickLink',
      security: security.anyone,
      tags: ['tracking'],
      summary: "Record an affiliate click and redirect to the product's affiliate URL",
      request: { params, query },
      responses: {
        302: { description: "to the product's affiliate URL (Location)" },
        ...problems(403, 404, 422, 429, 503),
      },
    }),
    async (c) => {
      const { productId } = readParams(c, params);
      const q = readQuery(c, query);
      const redirect = (url: URL, outcome: 'recorded' | 'repeated' | 'uncounted') => {
        // Says which it was, for the site's own diagnostics and the load test's row accounting.
        c.header('x-aclue-click', outcome);
        c.header('cache-control', 'no-store');
        return c.redirect(url.href, 302);
      };
      const lookUp = async (r: Repositories) => {
        const product = await r.products.findById(productId);
        const allowed = allowedTarget(
          config.REDIRECT_ALLOW_LIST,
          product.affiliateNetwork,
          product.affiliateUrl,
        );
        if (!allowed) {
          throw new ProblemError(
            403,
            `no redirect: the product's link is not https to a host allowed for network "${product.affiliateNetwork ?? 'none'}"`,
          );
        }
        return { url: allowed, network: product.affiliateNetwork };
      };
      if (isPrefetchOrBot(c.req.method, (name) => c.req.header(name))) {
        return redirect((await lookUp(repos.asAnon())).url, 'uncounted');
      }
      const caller = await clickCaller(c, services);
      if (!caller) return redirect((await lookUp(repos.asAnon())).url, 'uncounted');
      await limitVisitor(services, caller);
      // Once per visitor and product within the window, whichever session it comes in: sessions
      // are free to start, so a dedupe per session would count a click per new session.
      const once = `click:${caller.key}:${productId}`;
      let claimed = false;
      let outcome: 'recorded' | 'repeated' | 'uncounted' = 'repeated';
      let clickId: string | undefined;
      const agent = c.req.header('user-agent') ?? '';
      const referrer = c.req.header('referer');
      const sourcePage = q.src || pathOf(referrer) || '/';
      // Where the visit came from, recorded alike on a session started for the click and the click.
      const visit = {
        deviceType: deviceOf(agent),
        referrerUrl: referrer?.slice(0, 2048) ?? null,
        utmSource: q.utm_source ?? null,
        utmMedium: q.utm_medium ?? null,
        utmCampaign: q.utm_campaign ?? null,
      };
      // One transaction for the lookup and the click: the catalogue row the redirect goes to is
      // the one the click records.
      const target = await caller.repos
        .transaction(async (r) => {
          const found = await lookUp(r);
          claimed = await state.claimOnce(once, config.CLICK_DEDUPE_SECONDS);
          if (!claimed) return found;
          const sessionId = await clickSession(r, services, caller.key, q.s, {
            landingPage: sourcePage,
            ...visit,
          });
          if (!sessionId) {
            // Past the limit on new sessions: the shopper still reaches the shop, uncounted.
            await state.release(once);
            claimed = false;
            outcome = 'uncounted';
            return found;
          }
          // The network, link and commission are recorded from the product by the database.
          const { id } = await r.affiliateClicks.recordClick({
            productId,
            sessionId,
            sourcePage,
            userAgent: agent.slice(0, 1000) || null,
            ipAddress: c.get('address') === 'unknown' ? null : c.get('address'),
            ...visit,
          });
          clickId = id;
          outcome = 'recorded';
          return found;
        })
        .catch(async (error: unknown) => {
          // Not recorded (the transaction rolled back): a retry must count.
          if (claimed) await state.release(once);
          throw error;
        });
      // The network reports conversions by our click id, so it travels in the network's sub-id
      // parameter; a repeat (a double click: the browser follows the last answer) carries the
      // same id as the click it repeats.
      const param = target.network
        ? subIdParameter(config.CLICK_ID_PARAMS, target.network)
        : undefined;
      if (param) {
        if (clickId) await state.remember(once, clickId, config.CLICK_DEDUPE_SECONDS);
        else if (outcome === 'repeated') clickId = await recallClickId(state, once);
        if (clickId) target.url.searchParams.set(param, clickId);
      }
      return redirect(target.url, outcome);
    },
  );
}

/** The caller of a click: who the request proves, else a new visitor (none past its limit). */
async function clickCaller(c: Context, services: Services): Promise<TrackingCaller | undefined> {
  const found = await trackingCaller(c, services.repos);
  if (found) return found;
  return newVisitor(c, services).catch((error: unknown) => {
    if (error instanceof ProblemError && error.status === 429) return undefined;
    throw error;
  });
}

/**
 * The session a click goes into: `s` when it is the caller's, else a new one started for the
 * click (a link opened from an e-mail, an ad or another browser); `undefined` past the caller's
 * limit on new sessions.
 */
async function clickSession(
  r: Repositories,
  services: Services,
  callerKey: string,
  given: string | undefined,
  start: SessionStart,
): Promise<string | undefined> {
  if (given) {
    const own = await r.sessions.findBySessionId(given).then(
      (session) => session.sessionId,
      (error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      },
    );
    if (own) return own;
  }
  if ((await overLimit(services.limits.sessions, callerKey)) !== undefined) return undefined;
  return (await r.sessions.startSession(start)).sessionId;
}
