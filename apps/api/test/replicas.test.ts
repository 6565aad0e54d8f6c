import { createDb, type Database, migrate, replicationLag } from '@aclue/db';
import { testDrivers } from '@aclue/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ReplicaPair, startReplicaPair } from '../../../tooling/replica';
import { product, SERVICE_KEY, testEnvironment } from './harness';
import { post, startApiProcess, stopStartedServices } from './process';

afterEach(stopStartedServices);

/**
 * The service with DATABASE_REPLICA_URLS, against a real streaming standby: tracking writes go to
 * the primary at once, the analytics read the replica and show what it has replayed.
 */
describe.runIf(testDrivers().includes('pg'))('the service with a read replica', () => {
  let pair: ReplicaPair;
  let primary: Database;
  beforeAll(async () => {
    pair = await startReplicaPair();
    primary = await createDb({ url: pair.primaryUrl, replicas: [pair.replicaUrl], poolSize: 2 });
    await migrate(primary);
  }, 120_000);
  afterAll(async () => {
    await primary?.$close();
    pair?.stop();
  });

  it('answers analytics from the replica, behind while it lags, while tracking writes go on', async () => {
    const productId = await product(primary);
    const api = await startApiProcess({
      ...testEnvironment(),
      DATABASE_URL: pair.primaryUrl,
      DATABASE_REPLICA_URLS: pair.replicaUrl,
      LOG_LEVEL: 'info',
    });
    const views = async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const response = await fetch(`${api.url}/v1/analytics/popularity?from=${from}&to=${to}`, {
        headers: { authorization: `Bearer ${SERVICE_KEY}` },
      });
      expect(response.status).toBe(200);
      const { data } = (await response.json()) as { data: { product_id: string; views: number }[] };
      return data.find((row) => row.product_id === productId)?.views ?? 0;
    };
    const started = (await (await post(`${api.url}/v1/sessions`, { landingPage: '/' })).json()) as {
      sessionId: string;
      visitor: { proof: string };
    };
    const record = (n: number) =>
      post(
        `${api.url}/v1/views`,
        { views: Array.from({ length: n }, () => ({ productId, sessionId: started.sessionId })) },
        { 'x-visitor-proof': started.visitor.proof },
      ).then((r) => r.status);

    const replica = await createDb({ url: pair.replicaUrl, poolSize: 1 });
    try {
      await replica.execute(sql`SELECT pg_wal_replay_pause()`);
      expect(await record(3)).toBe(201);
      expect((await replicationLag(primary))[0]?.bytesBehind).toBeGreaterThan(0);
      expect(await views()).toBe(0);
      await replica.execute(sql`SELECT pg_wal_replay_resume()`);
      for (let i = 0; i < 100 && (await replicationLag(primary))[0]?.bytesBehind !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await views()).toBe(3);
      const replicaHealth = async () => {
        const health = await fetch(`${api.url}/v1/analytics/health`, {
          headers: { authorization: `Bearer ${SERVICE_KEY}` },
        });
        const { data } = (await health.json()) as {
          data: { title: string; rows: { bytesBehind: number; replayPaused: boolean }[] }[];
        };
        return data.find((s) => s.title.startsWith('read replicas'))?.rows;
      };
      // The service's own writes (its rollup job, session counters) keep adding WAL; what the
      // report must show is the standby catching up, so ask until the primary is quiet for a moment.
      let lag = await replicaHealth();
      for (let i = 0; i < 100 && (lag?.[0]?.bytesBehind ?? 0) >= 1024; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        lag = await replicaHealth();
      }
      expect(lag).toEqual([expect.objectContaining({ replayPaused: false, standby: true })]);
      // Caught up: at most the few bytes of a standby snapshot record the primary may log since.
      expect(lag?.[0]?.bytesBehind).toBeLessThan(1024);
    } finally {
      await replica.execute(sql`SELECT pg_wal_replay_resume()`).catch(() => {});
      await replica.$close();
    }
  });

  it('refuses replicas without a server database (exit 78)', async () => {
    await expect(
      startApiProcess({ ...testEnvironment(), DATABASE_REPLICA_URLS: pair.replicaUrl }),
    ).rejects.toThrow(/exited \(78\)[\s\S]*DATABASE_REPLICA_URLS needs DATABASE_URL/);
  });
});
