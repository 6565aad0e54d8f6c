/** Base of every error this package raises on purpose: `kind` says who has to act. */
export class AclueDbError extends Error {
  constructor(
    message: string,
    readonly kind: 'config' | 'connection' | 'migration',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The database could not be opened: bad URL, unreachable server, wrong credentials. */
export class DatabaseConnectionError extends AclueDbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'connection', options);
  }
}

/** The migrations folder and the database's migration history disagree; nothing was applied. */
export class MigrationError extends AclueDbError {
  constructor(
    message: string,
    /** The migration file at fault, relative to the migrations folder. */
    readonly file: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, 'migration', options);
  }
}

/** Who holds an embedded database's lock, as it wrote itself down. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/**
 * The embedded database is open in another process. PGlite is single-process: two writers on
 * one folder corrupt it silently, so the second one is refused.
 */
export class DatabaseLockedError extends AclueDbError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `the embedded database ${dataDir} is in use by ${
        holder ? `pid ${holder.pid} (${holder.command}, since ${holder.since})` : 'another process'
      }; wait for it to finish, or pass --wait <seconds>`,
      'connection',
    );
  }
}
