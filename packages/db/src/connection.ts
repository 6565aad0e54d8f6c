import { DatabaseConnectionError } from './errors';

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: safe to print and log. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** Rejects anything that is not a PostgreSQL URL before a driver turns it into a stack trace. */
export function parsePostgresUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConnectionError(
      'the database URL is not a URL: expected postgres://user:password@host:5432/database',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConnectionError(
      `the database URL must be a PostgreSQL URL (postgres:// or postgresql://), got ${parsed.protocol}// in ${redactUrl(url)}`,
    );
  }
  return parsed;
}

interface DriverError {
  code?: string;
  message?: string;
}

/** One line a person can act on, for a failure to connect. */
export function describeConnectionFailure(url: string, error: unknown): DatabaseConnectionError {
  const { code, message } = (error ?? {}) as DriverError;
  const parsed = new URL(url);
  const where = `${parsed.hostname}:${parsed.port || 5432}`;
  const user = decodeURIComponent(parsed.username) || 'the current OS user';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  const reasons: Record<string, string> = {
    ECONNREFUSED: `cannot reach PostgreSQL at ${where}: connection refused (is the server running?)`,
    ENOTFOUND: `cannot reach PostgreSQL: host ${parsed.hostname} not found`,
    EAI_AGAIN: `cannot reach PostgreSQL: host ${parsed.hostname} could not be resolved`,
    ETIMEDOUT: `cannot reach PostgreSQL at ${where}: connection timed out`,
    ECONNRESET: `PostgreSQL at ${where} closed the connection (is it PostgreSQL, and does it need TLS?)`,
    '28P01': `PostgreSQL at ${where} rejected the password for user "${user}"`,
    '28000': `PostgreSQL at ${where} refused user "${user}" (check pg_hba.conf and the user name)`,
    '3D000': `database "${database}" does not exist on ${where}`,
    '57P03': `PostgreSQL at ${where} is starting up or shutting down; try again`,
  };
  const reason =
    (code && reasons[code]) ??
    (message?.includes('timeout')
      ? `cannot reach PostgreSQL at ${where}: connection timed out`
      : `cannot connect to ${redactUrl(url)}: ${message ?? String(error)}`);
  return new DatabaseConnectionError(reason, { cause: error });
}
