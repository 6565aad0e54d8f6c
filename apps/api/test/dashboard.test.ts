/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Database } from '@aclue/db';
import { queryRows } from '@aclue/db';
import { createTestDatabase, type TestDatabase, testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type RunningApi, startApi } from '../src';
import { accessToken, SERVICE_KEY, testEnvironment } from './harness';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where each page's screenshot is written (the README shows one). */
const SCREENSHOTS = new URL('./screenshots/', import.meta.url);

/**
 * Known traffic, 1–10 October 2026: four products, five sessions, views at three (source,
 * position) pairs, six clicks on three networks, campaigns and devices, four of them converted.
 */
async function seed(db: Database): Promise<void> {
  await db.execute(sql`INSERT INTO products (id, title, price_min) VALUES
    ('00000000-0000-4000-8000-000000000001', 'Lamp', 40), ('00000000-0000-4000-8000-000000000002', 'Mug', 12),
    ('00000000-0000-4000-8000-000000000003', 'Book', 20), ('00000000-0000-4000-8000-000000000004', 'Scarf', 30)`);
  await db.execute(sql`INSERT INTO session_analytics (session_id, landing_page, started_at, pages_viewed, duration_seconds, is_bounce)
    SELECT 's' || d, '/', timestamptz '2026-10-01 10:00Z' + (d - 1) * interval '1 day', d, d * 60, d = 1
    FROM generate_series(1, 5) d`);
  await db.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, view_position, interaction_type, has_clicked_affiliate)
    VALUES ('00000000-0000-4000-8000-000000000001', 's1', '2026-10-01 10:01Z', 'search', 1, 'impression', true),
           ('00000000-0000-4000-8000-000000000002', 's2', '2026-10-02 10:01Z', 'search', 2, 'impression', false),
           ('00000000-0000-4000-8000-000000000003', 's3', '2026-10-03 10:01Z', 'trending', 1, 'detail_view', true),
           ('00000000-0000-4000-8000-000000000004', 's4', '2026-10-04 10:01Z', 'search', 1, 'impression', false)`);
  await db.execute(sql`INSERT INTO affiliate_clicks (product_id, session_id, click_timestamp, source_page, device_type,
      affiliate_network, affiliate_url, utm_campaign, expected_commission, is_converted, conversion_timestamp, actual_commission, order_id)
    VALUES
      ('00000000-0000-4000-8000-000000000001', 's1', '2026-10-01 11:00Z', '/', 'mobile', 'shopnet', 'https://shop.test/1', 'xmas', 2, true, '2026-10-01 12:00Z', 2.00, 'o1'),
      ('00000000-0000-4000-8000-000000000001', 's2', '2026-10-02 11:00Z', '/', 'desktop', 'shopnet', 'https://shop.test/1', 'xmas', 2, true, '2026-10-02 12:00Z', 3.00, 'o2'),
      ('00000000-0000-4000-8000-000000000002', 's3', '2026-10-03 11:00Z', '/', 'mobile', 'giftnet', 'https://gift.test/2', 'birthday', 1, false, NULL, NULL, NULL),
      ('00000000-0000-4000-8000-000000000003', 's5', '2026-10-05 11:00Z', '/', 'tablet', 'giftnet', 'https://gift.test/3', NULL, 1, true, '2026-10-05 12:00Z', 1.50, 'o3'),
      ('00000000-0000-4000-8000-000000000004', 's5', '2026-10-08 11:00Z', '/', 'desktop', 'booknet', 'https://book.test/4', 'birthday', 1, false, NULL, NULL, NULL),
      ('00000000-0000-4000-8000-000000000002', 's4', '2026-10-09 11:00Z', '/', 'mobile', 'shopnet', 'https://shop.test/2', 'xmas', 1, true, '2026-10-09 12:00Z', 4.00, 'o4')`);
}

const pageNames = ['revenue', 'funnel', 'ctr', 'products', 'engagement', 'health'] as const;

describe.each(testDrivers())('the dashboard in Chromium on %s', (driver) => {
  let database: TestDatabase;
  let api: RunningApi;
  let browser: Browser;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    await seed(database.db);
    const config = loadConfig(testEnvironment({ PORT: '0' }));
    api = await startApi(config, pino({ level: 'silent' }), { db: database.db });
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `the dashboard tests need Chromium at ${CHROMIUM}: \`apt-get install chromium\` (.ci/run installs it), or set CHROMIUM_PATH`,
      );
    }
    // No sandbox: CI runs as root, where Chromium refuses to start with one.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await database?.dispose();
  });

  /** Opens a page signed in with `key`, for 1–`to` October, and waits until every chart settled. */
  async function open(
    name: string,
    { key = SERVICE_KEY, to = '2026-10-10', granularity = 'day' } = {},
  ) {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Every file the page asks for is there (the favicon too).
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().includes('/v1/')) {
        errors.push(`${response.status()} ${response.url()}`);
      }
    });
    await page.goto(
      `${api.url}/dashboard?from=2026-10-01&to=${to}&granularity=${granularity}#${name}`,
    );
    await page.fill('#key', key);
    await page.click('#sign-in button[type=submit]');
    await settled(page);
    expect(errors).toEqual([]);
    return page;
  }
  /** Until the key form is back, or every chart has settled (ready, empty or error). */
  const settled = (page: Page) =>
    expect
      .poll(
        async () =>
          (await page.locator('#sign-in').isVisible()) ||
          ((await page.locator('#charts > figure').count()) > 0 &&
            (await page
              .locator('#charts > figure[data-state="loading"], #charts > figure:not([data-state])')
              .count()) === 0),
        { timeout: 20_000, interval: 50 },
      )
      .toBe(true);
  const marks = (page: Page, figure: string, mark: string) =>
    page.locator(`figure#${figure} svg [aria-label="${mark}"] > *`).count();

  it('draws every chart of every page with one mark per known datum', async () => {
    // One bar per table, a partitioned one (its partitions summed) included.
    const [tables] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`,
    );
    const expected: Record<
      (typeof pageNames)[number],
      [figure: string, mark: string, count: number][]
    > = {
      revenue: [
        ['commission-over-time', 'bar', 10],
        ['conversions-over-time', 'bar', 10],
        ['revenue-by-network', 'bar', 3],
        ['revenue-by-campaign', 'bar', 3],
        ['revenue-by-device', 'bar', 3],
      ],
      funnel: [['funnel', 'bar', 4]],
      ctr: [['ctr-by-position-and-source', 'cell', 3]],
      products: [['top-products', 'bar', 4]],
      engagement: [['engagement-rates', 'bar', 2]],
      health: [['table-rows', 'bar', tables?.n ?? 0]],
    };
    for (const name of pageNames) {
      const page = await open(name);
      for (const [figure, mark, count] of expected[name]) {
        expect(await page.locator(`figure#${figure}`).getAttribute('data-state'), figure).toBe(
          'ready',
        );
        expect(await marks(page, figure, mark), figure).toBe(count);
      }
      await page.screenshot({
        path: new URL(`${driver}-${name}.png`, SCREENSHOTS).pathname,
        fullPage: true,
      });
      await page.close();
    }
  });

  /**
   * Every bar and cell of a chart, with the frame its x and y scales span (in the SVG's pixels),
   * and the text labels: what a reader sees, read back from the page.
   */
  const drawn = (page: Page, figure: string) =>
    page.evaluate((id) => {
      type Scale = { range: [number, number] } | undefined;
      type Chart = Element & { scale?: (name: string) => Scale };
      // What Plot.plot returned: the element with its scales (a summary may come before it).
      const body = document.querySelector(`figure#${id} .body`);
      const chart = [...(body?.children ?? [])].find(
        (e) => typeof (e as Chart).scale === 'function',
      ) as Chart | undefined;
      if (!chart) return { x: [0, 0], y: [0, 0], marks: [], labels: [] };
      const svg = chart.tagName === 'svg' ? chart : [...chart.querySelectorAll('svg')].at(-1);
      if (!svg) return { x: [0, 0], y: [0, 0], marks: [], labels: [] };
      const span = (scale: Scale) =>
        scale ? [Math.min(...scale.range), Math.max(...scale.range)] : [0, 0];
      const number = (e: Element, name: string) => Number(e.getAttribute(name) ?? 0);
      return {
        x: span(chart.scale?.('x')),
        y: span(chart.scale?.('y')),
        marks: [...svg.querySelectorAll('[aria-label="bar"] rect, [aria-label="cell"] rect')].map(
          (r) => ({
            left: number(r, 'x'),
            right: number(r, 'x') + number(r, 'width'),
            top: number(r, 'y'),
            bottom: number(r, 'y') + number(r, 'height'),
          }),
        ),
        labels: [...svg.querySelectorAll('[aria-label="text"] text')].map((t) => t.textContent),
      };
    }, figure);

  it('draws every mark inside its axes; the engagement rates where the API puts them', async () => {
    for (const name of pageNames) {
      const page = await open(name);
      for (const figure of await page.locator('#charts > figure').all()) {
        const id = (await figure.getAttribute('id')) ?? '';
        const { x, y, marks } = await drawn(page, id);
        for (const mark of marks) {
          // One pixel of slack: Plot offsets marks by half a pixel for crisp edges.
          expect(mark.left, id).toBeGreaterThanOrEqual((x[0] ?? 0) - 1);
          expect(mark.right, id).toBeLessThanOrEqual((x[1] ?? 0) + 1);
          expect(mark.top, id).toBeGreaterThanOrEqual((y[0] ?? 0) - 1);
          expect(mark.bottom, id).toBeLessThanOrEqual((y[1] ?? 0) + 1);
        }
      }
      await page.close();
    }
    // Rates are fractions in the API and percent on the axis: a bar's length is its rate of the
    // axis, and a rate of 0 (no bar to see) still has its label.
    const response = await fetch(
      `${api.url}/v1/analytics/engagement?from=2026-10-01&to=2026-10-11`,
      { headers: { authorization: `Bearer ${SERVICE_KEY}` } },
    );
    const row = (await response.json()).data as { bounce_rate: number; conversion_rate: number };
    const rates = [row?.bounce_rate ?? -1, row?.conversion_rate ?? -1];
    const page = await open('engagement');
    const { x, marks, labels } = await drawn(page, 'engagement-rates');
    const axis = (x[1] ?? 0) - (x[0] ?? 0);
    expect(marks.map((m) => (m.right - (x[0] ?? 0)) / axis)).toEqual(
      rates.map((rate) => expect.closeTo(rate, 2)),
    );
    expect(labels).toEqual(rates.map((rate) => `${(rate * 100).toFixed(1)} %`));
    await page.close();
  });

  it('follows the date-range and granularity controls', async () => {
    const page = await open('revenue');
    await page.fill('#to', '2026-10-03');
    await page.click('#controls button[type=submit]');
    await settled(page);
    expect(await marks(page, 'commission-over-time', 'bar')).toBe(3);
    expect(await marks(page, 'revenue-by-network', 'bar')).toBe(2);
    await page.fill('#to', '2026-10-10');
    await page.selectOption('#granularity', 'week');
    await page.click('#controls button[type=submit]');
    await settled(page);
    // Weeks (Mondays) touching 1–10 October 2026: 28 Sep, 5 Oct.
    expect(await marks(page, 'commission-over-time', 'bar')).toBe(2);
    await page.close();
  });

  it('shows an empty state for a period without data', async () => {
    const page = await browser.newPage();
    await page.goto(`${api.url}/dashboard?from=2026-09-01&to=2026-09-05#products`);
    await page.fill('#key', SERVICE_KEY);
    await page.click('#sign-in button[type=submit]');
    await settled(page);
    expect(await page.locator('figure#top-products').getAttribute('data-state')).toBe('empty');
    expect(await page.locator('figure#top-products').textContent()).toContain(
      'No data in this period',
    );
    await page.close();
  });

  it("downloads each chart's data as CSV", async () => {
    const page = await open('revenue');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('figure#revenue-by-network button'),
    ]);
    expect(download.suggestedFilename()).toBe('revenue-by-network_2026-10-01_2026-10-10.csv');
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe(
      'key,clicks,conversions,conversion_rate,expected_commission,actual_commission',
    );
    expect(csv.slice(1).sort()).toEqual([
      'booknet,1,0,0,1,0',
      'giftnet,2,1,0.5,2,1.5',
      'shopnet,3,3,1,5,9',
    ]);
    await page.close();
  });

  it('refuses a signed-in user who is not the service: 403, back to the key form', async () => {
    const userToken = await accessToken('00000000-0000-4000-8000-0000000000aa');
    const page = await open('revenue', { key: userToken });
    expect(await page.locator('#sign-in').isHidden()).toBe(false);
    expect(await page.locator('#sign-in-error').textContent()).toMatch(/for the service/);
    const direct = await fetch(`${api.url}/v1/analytics/funnel?from=2026-10-01&to=2026-10-10`, {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(direct.status).toBe(403);
    const serviceRole = await accessToken('', { role: 'service_role' });
    const asService = await fetch(`${api.url}/v1/analytics/funnel?from=2026-10-01&to=2026-10-10`, {
      headers: { authorization: `Bearer ${serviceRole}` },
    });
    expect(asService.status).toBe(200);
    await page.close();
  });
});
