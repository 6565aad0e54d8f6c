import { startPgBouncer } from '../../tooling/pgbouncer.ts';

/** A PgBouncer in front of the bench server, or undefined (with a note) where none is installed. */
export async function benchPooler(serverUrl: string) {
  try {
    const pooler = await startPgBouncer(serverUrl);
    return {
      url: (databaseUrl: string) => {
        const url = new URL(databaseUrl);
        url.hostname = '127.0.0.1';
        url.port = String(pooler.port);
        return url.toString();
      },
      stop: pooler.stop,
    };
  } catch (error) {
    console.warn(`no PgBouncer rows: ${(error as Error).message}`);
    return undefined;
  }
}
