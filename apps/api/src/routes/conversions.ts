import { createHmac, timingSafeEqual } from 'node:crypto';
import { conversionInput } from '@aclue/repositories';
import { createRoute, z } from '@hono/zod-openapi';
import {
  type Api,
  parseJson,
  problems,
  readParams,
  readText,
  route,
  security,
  sizeLimit,
} from '../http';
import { ProblemError } from '../problems';
import type { Services } from '../services';

export const SIGNATURE_HEADER = 'x-aclue-signature';

const params = z.object({ network: z.string().min(1).max(100) });
const body = conversionInput.omit({ network: true });

/**
 * The signature a network sends: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with
 * the network's secret. The timestamp is signed too, so an old request cannot be replayed with a
 * fresh one.
 */
export function signConversion(secret: string, rawBody: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

function verifySignature(
  header: string | undefined,
  secret: string | undefined,
  rawBody: string,
  toleranceSeconds: number,
): void {
  const parts = new Map(
    (header ?? '').split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = parts.get('t') ?? '';
  const given = parts.get('v1') ?? '';
  if (!secret || !/^\d{1,12}$/.test(t) || !/^[0-9a-f]{64}$/.test(given)) {
    throw new ProblemError(401, `the ${SIGNATURE_HEADER} header is missing or does not verify`);
  }
  const expected = signConversion(secret, rawBody, Number(t)).split('v1=')[1] as string;
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'))) {
    throw new ProblemError(401, `the ${SIGNATURE_HEADER} header is missing or does not verify`);
  }
  if (Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) {
    throw new ProblemError(
      401,
      `the signed timestamp is more than ${toleranceSeconds} s from now: refused as a replay`,
    );
  }
}

/**
 * Conversions reported by affiliate networks, each signed with the network's own secret. A
 * network can convert only its own clicks; the same order again is answered as already recorded
 * (idempotent), a different order for a converted click or an order already on another click is
 * 409 and changes nothing.
 */
export function conversionRoutes(app: Api, services: Services): void {
  const { config, repos } = services;
  route(
    app,
    createRoute({
      method: 'post',
      path: '/webhooks/conversions/{network}',
      operationId: 'recordConversion',
      security: security.network,
      tags: ['conversions'],
      summary: 'Record a conversion reported by an affiliate network (HMAC-signed)',
      request: {
        params,
        headers: z.object({
          [SIGNATURE_HEADER]: z.string().openapi({ example: 't=1764100000,v1=5f…' }),
        }),
        body: { content: { 'application/json': { schema: body } }, required: true },
      },
      responses: {
        200: {
          description: 'recorded now, or already recorded with this order',
          content: {
            'application/json': {
              schema: z.object({
                clickId: z.string(),
                orderId: z.string(),
                alreadyRecorded: z.boolean(),
              }),
            },
          },
        },
        ...problems(401, 404, 409, 413, 415, 422, 429, 503),
      },
    }),
    sizeLimit(16 * 1024),
    async (c) => {
      const { network } = readParams(c, params);
      if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
        throw new ProblemError(415, 'send the conversion as application/json');
      }
      const raw = await readText(c);
      verifySignature(
        c.req.header(SIGNATURE_HEADER),
        Object.hasOwn(config.WEBHOOK_SECRETS, network)
          ? config.WEBHOOK_SECRETS[network]
          : undefined,
        raw,
        config.WEBHOOK_TOLERANCE_SECONDS,
      );
      const report = parseJson(raw);
      if (typeof report !== 'object' || report === null || Array.isArray(report)) {
        throw new ProblemError(422, 'the body must be a JSON object', {
          errors: [{ field: 'body', message: 'must be a JSON object' }],
        });
      }
      const { click, alreadyRecorded } = await repos
        .asService()
        .affiliateClicks.recordConversion({ ...(report as object), network } as z.input<
          typeof conversionInput
        >);
      return c.json({ clickId: click.id, orderId: click.orderId as string, alreadyRecorded });
    },
  );
}
