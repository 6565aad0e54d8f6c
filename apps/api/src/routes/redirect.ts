import type { ClickInput } from '@aclue/repositories';
import { createRoute, z } from '@hono/zod-openapi';
import { limitVisitor, requireTrackingCaller } from '../callers';
import { type Api, problems, readParams, readQuery, route } from '../http';
import { ProblemError } from '../problems';
import type { Services } from '../services';

const params = z.object({ productId: z.uuid() });
const text = (name: string, max: number) =>
  z.string().max(max, `${name} must be at most ${max} characters`).optional();
const query = z.object({
  s: z
    .string()
    .min(1, 's (the session id) is required')
    .max(128, 's must be at most 128 characters'),
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
 * The click redirect: records the affiliate click as the caller, then 302 to the product's
 * affiliate URL — only to hosts its network's allow-list names, so no one can borrow this domain
 * to send people elsewhere. The same click again within CLICK_DEDUPE_SECONDS is redirected but
 * not counted twice.
 */
export function redirectRoutes(app: Api, services: Services): void {
  const { config, repos, state } = services;
  route(
    app,
    createRoute({
      method: 'get',
      path: '/r/{productId}',
      tags: ['tracking'],
      summary: "Record an affiliate click and redirect to the product's affiliate URL",
      request: { params, query },
      responses: {
        302: { description: "to the product's affiliate URL (Location)" },
        ...problems(401, 403, 404, 422, 429, 503),
      },
    }),
    async (c) => {
      const { productId } = readParams(c, params);
      const q = readQuery(c, query);
      const caller = await requireTrackingCaller(c, repos);
      await limitVisitor(services, caller);
      // Once per visitor and product within the window, whichever session it comes in: sessions
      // are free to start, so a dedupe per session would count a click per new session.
      const once = `click:${caller.key}:${productId}`;
      let claimed = false;
      let clickId: string | undefined;
      const agent = c.req.header('user-agent') ?? '';
      const referrer = c.req.header('referer');
      // One transaction for the lookup and the click: the catalogue row the redirect goes to is
      // the one the click records.
      const target = await caller.repos
        .transaction(async (r) => {
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
          claimed = await state.claimOnce(once, config.CLICK_DEDUPE_SECONDS);
          if (!claimed) {
            // A repeat is redirected uncounted, but only within the caller's own session (the
            // first of a burst may still be in flight, or may have been refused).
            await r.sessions.findBySessionId(q.s);
            return { url: allowed, network: product.affiliateNetwork };
          }
          // The network, link and commission are recorded from the product by the database.
          const { id } = await r.affiliateClicks.recordClick({
            productId,
            sessionId: q.s,
            sourcePage: q.src || pathOf(referrer) || '/',
            deviceType: deviceOf(agent),
            userAgent: agent.slice(0, 1000) || null,
            ipAddress: c.get('address') === 'unknown' ? null : c.get('address'),
            referrerUrl: referrer?.slice(0, 2048) ?? null,
            utmSource: q.utm_source ?? null,
            utmMedium: q.utm_medium ?? null,
            utmCampaign: q.utm_campaign ?? null,
          });
          clickId = id;
          return { url: allowed, network: product.affiliateNetwork };
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
        else clickId = await recallClickId(state, once);
        if (clickId) target.url.searchParams.set(param, clickId);
      }
      // Says which it was, for the site's own diagnostics and the load test's row accounting.
      c.header('x-aclue-click', claimed ? 'recorded' : 'repeated');
      c.header('cache-control', 'no-store');
      return c.redirect(target.url.href, 302);
    },
  );
}
