import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  anonymiseExpiredPersonalData,
  archivePartition,
  createDb,
  expiredPartitions,
  listPartitions,
  maintainPartitions,
  queryRows,
} from '../src';
import { createParents } from '../src/samples';
import { affiliateClicks, productViews } from '../src/schema';
import { createTestDatabase, type TestDatabase, testDrivers } from '../src/testing';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

describe.each(testDrivers())('retention on %s', (driver) => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.dispose();
    test = undefined;
  });

  it('anonymises addresses and user agents past their days, and only those', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const click = (at: Date, ipAddress: string | null) =>
      db
        .insert(affiliateClicks)
        .values({
          sessionId: 's',
          sourcePage: '/',
          affiliateNetwork: 'awin',
          affiliateUrl: 'https://example.test/p',
          clickTimestamp: at,
          ipAddress,
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
        })
        .returning({ id: affiliateClicks.id })
        .then(([row]) => row?.id ?? '');
    const oldV4 = await click(daysAgo(91), '203.0.113.77');
    const oldV6 = await click(daysAgo(200), '2001:db8:85a3:8d3:1319:8a2e:370:7348');
    const recent = await click(daysAgo(89), '198.51.100.23');
    const noAddress = await click(daysAgo(120), null);
    const masked = await click(daysAgo(95), '192.0.2.77/16');

    const [result] = await anonymiseExpiredPersonalData(db);
    expect(result).toEqual({ table: 'affiliate_clicks', rows: 4, olderThanDays: 90 });
    const stored = await queryRows<{ id: string; ip: string | null; ua: string | null }>(
      db,
      sql`SELECT id, abbrev(ip_address) AS ip, user_agent AS ua FROM affiliate_clicks`,
    );
    const row = (id: string) => stored.find((r) => r.id === id);
    expect(row(oldV4)).toEqual({ id: oldV4, ip: '203.0.113.0/24', ua: null });
    expect(row(oldV6)).toEqual({ id: oldV6, ip: '2001:db8:85a3::/48', ua: null });
    expect(row(recent)).toEqual({
      id: recent,
      ip: '198.51.100.23',
      ua: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
    });
    expect(row(noAddress)).toEqual({ id: noAddress, ip: null, ua: null });
    // A client-chosen mask does not keep host bits past the network: /16 keeps only 192.0.
    expect(row(masked)).toEqual({ id: masked, ip: '192.0.0.0/16', ua: null });
    // Idempotent; a shorter window reaches the recent one.
    expect((await anonymiseExpiredPersonalData(db))[0]?.rows).toBe(0);
    expect((await anonymiseExpiredPersonalData(db, { days: 30 }))[0]?.rows).toBe(1);
    await expect(anonymiseExpiredPersonalData(db, { days: 0 })).rejects.toThrow(/days/);
  });

  it('archives partitions past the months kept, without whom they name, then drops them', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const p = await createParents(db);
    const now = new Date();
    const monthsAgo = (n: number, day = 15) =>
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, day, 12));
    await maintainPartitions(db, { from: monthsAgo(30, 1) });
    for (const [n, copies] of [
      [30, 3],
      [25, 2],
      [24, 1],
      [0, 4],
    ] as const) {
      for (let i = 0; i < copies; i++) {
        await db.insert(productViews).values({
          productId: p.productId,
          userId: p.userId,
          sessionId: `visit-${n}-${i}`,
          viewTimestamp: n === 0 ? new Date() : monthsAgo(n),
          searchQuery: 'gift for dad',
        });
      }
    }
    const expired = await expiredPartitions(db);
    // 24 whole months are kept before this one: month -25 and older go.
    expect(expired.map((e) => e.from?.slice(0, 7))).toEqual(
      [30, 29, 28, 27, 26, 25].map((n) => monthsAgo(n).toISOString().slice(0, 7)),
    );

    const archives = new Map<string, Record<string, unknown>[]>();
    for (const partition of expired) {
      const rows: Record<string, unknown>[] = [];
      let closed = false;
      const archived = await archivePartition(db, partition, async () => ({
        write: async (page) => {
          rows.push(...page);
        },
        close: async () => {
          closed = true;
        },
      }));
      expect(closed).toBe(true);
      expect(archived).toBe(rows.length);
      archives.set(partition.partition, rows);
    }
    expect([...archives.values()].flat()).toHaveLength(5);
    for (const row of [...archives.values()].flat()) {
      for (const column of ['user_id', 'session_id', 'recommendation_id', 'search_query']) {
        expect(Object.keys(row)).not.toContain(column);
      }
      expect(row).toMatchObject({ product_id: p.productId, interaction_type: 'impression' });
    }
    // A second run finds them gone: nothing archived twice.
    expect(
      await archivePartition(db, expired[0] as (typeof expired)[number], async () => {
        throw new Error('no sink should be opened');
      }),
    ).toBeNull();
    // The partitions are gone; the kept months and their rows are untouched.
    expect(await expiredPartitions(db)).toEqual([]);
    const [{ n } = { n: '' }] = await queryRows<{ n: string }>(
      db,
      sql`SELECT count(*) AS n FROM product_views`,
    );
    expect(Number(n)).toBe(5);
    const left = await queryRows<{ name: string }>(
      db,
      sql`SELECT relname AS name FROM pg_class WHERE relname = ${expired[0]?.partition ?? ''}`,
    );
    expect(left).toEqual([]);
  });

  it('drops nothing when the archive cannot be made durable', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const p = await createParents(db);
    const old = new Date(Date.UTC(2020, 0, 10));
    await maintainPartitions(db, { from: old });
    await db
      .insert(productViews)
      .values({ productId: p.productId, sessionId: 's', viewTimestamp: old });
    const [expired] = (await expiredPartitions(db)).filter((e) => e.from?.startsWith('2020-01'));
    if (!expired) throw new Error('no expired partition');
    const failure = await archivePartition(db, expired, async () => ({
      write: async () => {},
      close: async () => {
        throw new Error('disk full');
      },
    })).catch((e: unknown) => e);
    expect((failure as Error).message).toBe('disk full');
    const [{ n } = { n: '' }] = await queryRows<{ n: string }>(
      db,
      sql.raw(`SELECT count(*) AS n FROM aclue_partitions.${expired.partition}`),
    );
    expect(Number(n)).toBe(1);
  });

  it('archives and deletes the default partition’s rows past the kept months, keeping newer ones', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const p = await createParents(db);
    // Months with no partition: the rows wait in the default partition.
    for (const at of ['2019-03-01T00:00:00Z', '2019-04-01T00:00:00Z']) {
      await db
        .insert(productViews)
        .values({ productId: p.productId, sessionId: 's', viewTimestamp: new Date(at) });
    }
    const recent = new Date(Date.UTC(new Date().getUTCFullYear() - 1, new Date().getUTCMonth(), 1));
    await db
      .insert(productViews)
      .values({ productId: p.productId, sessionId: 's', viewTimestamp: recent });
    const expired = await expiredPartitions(db);
    expect(expired).toEqual([
      expect.objectContaining({ partition: 'product_views_default', from: null }),
    ]);
    const rows: Record<string, unknown>[] = [];
    const archived = await archivePartition(
      db,
      expired[0] as (typeof expired)[number],
      async () => ({
        write: async (page) => {
          rows.push(...page);
        },
        close: async () => {},
      }),
    );
    expect(archived).toBe(2);
    expect(rows.map((r) => String(r.view_timestamp).slice(0, 7)).sort()).toEqual([
      '2019-03',
      '2019-04',
    ]);
    const [{ n } = { n: '' }] = await queryRows<{ n: string }>(
      db,
      sql`SELECT count(*) AS n FROM aclue_partitions.product_views_default`,
    );
    expect(Number(n)).toBe(1);
  });

  it('reads partition bounds the same whatever the session’s DateStyle', async () => {
    test = await createTestDatabase(driver);
    const db = test.db;
    const europe =
      driver === 'pglite' || !test.url
        ? db
        : await (async () => {
            const name = new URL(test?.url ?? '').pathname.slice(1);
            await db.execute(sql.raw(`ALTER DATABASE ${name} SET datestyle = 'SQL, DMY'`));
            return createDb({ url: test?.url, poolSize: 1 });
          })();
    try {
      if (europe === db) await db.execute(sql`SET datestyle = 'SQL, DMY'`);
      const [style] = await queryRows<{ d: string }>(
        europe,
        sql`SELECT current_setting('datestyle') AS d`,
      );
      expect(style?.d).toBe('SQL, DMY');
      expect(await expiredPartitions(europe, { keepMonths: 1 })).toEqual([]);
      const months = (await listPartitions(europe)).map((x) => x.from?.slice(0, 7));
      expect(months[0]).toBe(new Date().toISOString().slice(0, 7));
      // The function pins its own: a month created now is named and bounded the ISO way.
      await maintainPartitions(europe, { from: new Date('2024-12-01T00:00:00Z') });
      const bounds = (await listPartitions(europe)).find((x) => x.partition.endsWith('p2024_12'));
      expect(bounds).toMatchObject({
        from: '2024-12-01T00:00:00.000Z',
        to: '2025-01-01T00:00:00.000Z',
      });
    } finally {
      if (europe !== db) await europe.$close();
    }
  });
});
