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
