import { refreshRollups } from '@aclue/db';
import { createParents } from '@aclue/db/samples';
import { createTestDatabase, testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verify } from '../src';

const failures = (report: Awaited<ReturnType<typeof verify>>) =>
  report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);

describe.each(testDrivers())(
  'verify --data compares the rollups with their rows on %s',
  (driver) => {
    it('passes on refreshed rollups and names a rollup whose figures were edited by hand', async () => {
      const { db, dispose } = await createTestDatabase(driver);
      try {
        const p = await createParents(db);
        await db.execute(sql`INSERT INTO session_analytics (session_id, landing_page, started_at, pages_viewed)
        SELECT 'contents-' || g, '/', now() - (g % 5 + 1) * interval '1 day', 1 + g % 4
        FROM generate_series(1, 40) g`);
        await db.execute(sql`INSERT INTO product_views (product_id, session_id, view_timestamp, view_source, view_position)
        SELECT ${p.productId}, 'contents-' || (1 + g % 40), now() - (g % 5 + 1) * interval '1 day', 'search', 1 + g % 3
        FROM generate_series(1, 200) g`);
        await refreshRollups(db);
        expect(failures(await verify(db, { data: true, probes: false }))).toEqual([]);

        await db.execute(sql`UPDATE aclue_rollups.product_views_by_position_daily SET views = views + 1
        WHERE day = (SELECT max(day) FROM aclue_rollups.product_views_by_position_daily)`);
        expect(failures(await verify(db, { data: true, probes: false })).join('\n')).toMatch(
          /aclue_rollups\.product_views_by_position_daily: its last 7 refreshed days match their rows: \d+ rows differ over \d+ days/,
        );
        // The hourly twin, which answers for the hours of a period's ragged days, is compared too.
        await db.execute(sql`DELETE FROM aclue_rollups.product_views_by_position_hourly
        WHERE day = (SELECT min(day) FROM aclue_rollups.product_views_by_position_hourly)`);
        expect(failures(await verify(db, { data: true, probes: false })).join('\n')).toMatch(
          /aclue_rollups\.product_views_by_position_hourly: its last 7 refreshed days match their rows: \d+ rows differ over \d+ days/,
        );
        // And the sessions' firsts, which the funnel counts whole hours from.
        await db.execute(sql`UPDATE aclue_rollups.product_views_sessions_firsts SET keys_seen = keys_seen + 1
        WHERE day = (SELECT max(day) FROM aclue_rollups.product_views_sessions_firsts)`);
        expect(failures(await verify(db, { data: true, probes: false })).join('\n')).toMatch(
          /aclue_rollups\.product_views_sessions_firsts: its last 7 refreshed days match their rows: \d+ rows differ over \d+ days/,
        );
      } finally {
        await dispose();
      }
    });
  },
);
