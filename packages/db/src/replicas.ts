import { sql } from 'drizzle-orm';
import { type Database, queryRows } from './client';

export interface ReplicaLag {
  /** The replica, safe to print. */
  target: string;
  /** WAL the primary has written that the replica has not replayed yet (0: caught up). */
  bytesBehind: number;
  /** Replay paused on the replica (`pg_wal_replay_pause()`): it falls behind until resumed. */
  replayPaused: boolean;
  /**
   * Still a standby. False after a promotion: it no longer follows the primary, and the reads
   * sent there diverge from it (bytesBehind is then meaningless, reported 0).
   */
  standby: boolean;
  /** When the replica last replayed a committed transaction, if ever. */
  lastReplayAt: string | null;
}

/**
 * How far each replica of `db` is behind its primary, measured in WAL (a time since the last
 * replay grows on an idle primary too, so it alone cannot tell lag from quiet).
 */
export async function replicationLag(db: Database): Promise<ReplicaLag[]> {
  if (db.$readers.length === 0) return [];
  const [primary] = await queryRows<{ lsn: string }>(
    db,
    sql`SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn`,
  );
  return Promise.all(
    db.$readers.map(async (reader) => {
      const [row] = await queryRows<{
        behind: string | null;
        paused: boolean;
        standby: boolean;
        at: Date | null;
      }>(
        reader,
        sql`SELECT pg_catalog.pg_is_in_recovery() AS standby,
               greatest(pg_catalog.pg_wal_lsn_diff(${primary?.lsn}::pg_lsn,
                 pg_catalog.pg_last_wal_replay_lsn()), 0)::bigint AS behind,
               CASE WHEN pg_catalog.pg_is_in_recovery()
                 THEN pg_catalog.pg_is_wal_replay_paused() ELSE false END AS paused,
               pg_catalog.pg_last_xact_replay_timestamp() AS at`,
      );
      return {
        target: reader.$target,
        bytesBehind: Number(row?.behind ?? 0),
        replayPaused: row?.paused ?? false,
        standby: row?.standby ?? false,
        lastReplayAt: row?.at ? new Date(row.at).toISOString() : null,
      };
    }),
  );
}
