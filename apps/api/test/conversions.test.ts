import { randomUUID } from 'node:crypto';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signConversion } from '../src';
import {
  bodyOf,
  count,
  createTestApi,
  NETWORK_SECRET,
  product,
  type TestApi,
  visitorSession,
} from './harness';

describe.each(testDrivers())('conversion webhooks on %s', (driver) => {
  let api: TestApi;
  let productId: string;
  beforeAll(async () => {
    api = await createTestApi(driver);
    productId = await product(api.db);
  });
  afterAll(() => api.dispose());

  /** A click made through the redirect, as a visitor would. */
  async function click(): Promise<string> {
    const visitor = await visitorSession(api);
    const response = await api.request(`/r/${productId}?s=${visitor.sessionId}`, {
      headers: visitor.headers,
    });
    expect(response.status).toBe(302);
    // As a network learns it: from the sub-id parameter of the link the visitor arrived by.
    const reported = new URL(response.headers.get('location') ?? '').searchParams.get('subid');
    const rows = await api.db.execute(
      sql`SELECT id FROM affiliate_clicks WHERE session_id = ${visitor.sessionId}`,
    );
    expect(reported).toBe((rows as unknown as { rows: { id: string }[] }).rows[0]?.id);
    return reported ?? '';
  }

  const report = (
    network: string,
    body: unknown,
    {
      secret = NETWORK_SECRET,
      at = Math.floor(Date.now() / 1000),
      signed,
    }: { secret?: string; at?: number; signed?: string } = {},
  ) => {
    const raw = JSON.stringify(body);
    return api.request(`/webhooks/conversions/${network}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signConversion(secret, signed ?? raw, at),
      },
      body: raw,
    });
  };

  it('records a signed conversion once; the same report again is answered as already recorded', async () => {
    const clickId = await click();
    const order = { clickId, orderId: `ord-${randomUUID()}`, actualCommission: 1.75 };
    const first = await report('shopnet', order);
    expect(first.status).toBe(200);
    expect(await bodyOf(first)).toEqual({
      clickId,
      orderId: order.orderId,
      alreadyRecorded: false,
    });
    const again = await report('shopnet', order);
    expect(again.status).toBe(200);
    expect((await bodyOf(again)).alreadyRecorded).toBe(true);
    expect(
      await count(
        api,
        'affiliate_clicks',
        sql`id = ${clickId} AND is_converted AND actual_commission = 1.75`,
      ),
    ).toBe(1);
  });

  it('converts concurrent duplicate reports exactly once', async () => {
    const clickId = await click();
    const order = { clickId, orderId: `ord-${randomUUID()}` };
    const answers = await Promise.all(Array.from({ length: 6 }, () => report('shopnet', order)));
    const bodies = await Promise.all(answers.map(bodyOf));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(bodies.filter((b) => b.alreadyRecorded === false)).toHaveLength(1);
  });

  it('answers 409 for another order on a converted click, and for an order already on another click', async () => {
    const [a, b] = [await click(), await click()];
    const orderId = `ord-${randomUUID()}`;
    expect((await report('shopnet', { clickId: a, orderId })).status).toBe(200);
    expect((await report('shopnet', { clickId: a, orderId: `ord-${randomUUID()}` })).status).toBe(
      409,
    );
    expect((await report('shopnet', { clickId: b, orderId })).status).toBe(409);
    expect(await count(api, 'affiliate_clicks', sql`id = ${b} AND is_converted`)).toBe(0);
  });

  it('refuses forged, tampered, replayed and misdirected reports, changing nothing', async () => {
    const clickId = await click();
    const order = { clickId, orderId: `ord-${randomUUID()}` };
    const now = Math.floor(Date.now() / 1000);
    const refusals: [Promise<Response>, number][] = [
      [report('shopnet', order, { secret: 'x'.repeat(48) }), 401],
      [report('shopnet', order, { signed: JSON.stringify({ ...order, orderId: 'other' }) }), 401],
      [report('shopnet', order, { at: now - 3600 }), 401],
      [report('shopnet', order, { at: now + 3600 }), 401],
      [report('othernet', order), 401],
      [report('__proto__', order), 401],
      [
        api.request('/webhooks/conversions/shopnet', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(order),
        }),
        401,
      ],
    ];
    for (const [answer, status] of refusals) {
      const response = await answer;
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(await count(api, 'affiliate_clicks', sql`id = ${clickId} AND is_converted`)).toBe(0);
  });

  it("lets a network convert only its own clicks (another network's click is not found)", async () => {
    const clickId = await click();
    await api.db.execute(
      sql`UPDATE affiliate_clicks SET affiliate_network = 'othernet' WHERE id = ${clickId}`,
    );
    const response = await report('shopnet', { clickId, orderId: `ord-${randomUUID()}` });
    expect(response.status).toBe(404);
    expect(await count(api, 'affiliate_clicks', sql`id = ${clickId} AND is_converted`)).toBe(0);
  });

  it('names the field and rule of a bad report', async () => {
    const response = await report('shopnet', { clickId: 'nope', orderId: '' });
    expect(response.status).toBe(422);
    const fields = (await bodyOf(response)).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['clickId', 'orderId']));
  });
});
