import { createTestDatabase, type TestDatabase, testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJunit, formatText, type VerificationReport, verify } from '../src';
import { rolledBack } from './rolled-back';
import type { Tampering } from './tamperings/tampering';

const describeFailures = (report: VerificationReport) =>
  report.results
    .filter((r) => !r.ok)
    .map((r) => `${r.table}: ${r.name}: ${r.detail}`)
    .join('\n');

/**
 * One verification per tampering, on every engine (cluster-wide ones on PGlite only, since roles
 * are shared by every suite on the server). The database is migrated once per family; each
 * tampering is made in a transaction that `verify` runs inside and that is rolled back after, so
 * every case starts from the migrated state. A tampering only the behavioural probes can see says
 * so (`probes`); the others are proved by the catalog checks alone. The cases are split over
 * several files so vitest's two workers share them evenly.
 */
export function tamperSuite(family: string, tamperings: readonly Tampering[]): void {
  describe.each(testDrivers())(`verification catches tampering with ${family} on %s`, (driver) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(driver);
    });
    afterAll(() => database?.dispose());

    const runnable = tamperings.filter((t) => driver === 'pglite' || !t.clusterWide);
    it.each(runnable)('fails when $change, naming it', async ({ statements, names, probes }) => {
      const report = await rolledBack(
        database.db,
        (tx) => verify(tx, { probes: probes ?? false }),
        statements,
      );
      expect(report.failed).toBeGreaterThan(0);
      expect(describeFailures(report)).toMatch(names);
    });
  });
}

/** A fresh database passes; a finding says why it matters in every format. */
export function cleanAndExplainedSuite(): void {
  describe.each(testDrivers())('verification on %s', (driver) => {
    it('passes every check on a freshly migrated database', async () => {
      const { db, dispose } = await createTestDatabase(driver);
      try {
        const report = await verify(db);
        expect(describeFailures(report)).toBe('');
        expect(report.checks).toBeGreaterThan(300);
      } finally {
        await dispose();
      }
    });

    it('says why a finding matters, in text, JSON and JUnit', async () => {
      const { db, dispose } = await createTestDatabase(driver);
      try {
        await db.execute(
          sql`CREATE VIEW public.click_feed AS SELECT * FROM public.affiliate_clicks`,
        );
        await db.execute(sql`GRANT SELECT ON public.click_feed TO anon`);
        const report = await verify(db);
        const finding = report.results.find((r) => r.name === 'view public.click_feed');
        const why =
          'anon reads public.affiliate_clicks through it as postgres: the row level security and column grants of those tables do not apply';
        expect(finding?.impact).toBe(why);
        expect(JSON.parse(JSON.stringify(report)).results).toContainEqual(
          expect.objectContaining({ name: 'view public.click_feed', impact: why }),
        );
        expect(formatText(report)).toContain(`why: ${why}`);
        expect(formatJunit(report)).toContain(`why: ${why}`);
      } finally {
        await dispose();
      }
    });
  });
}
