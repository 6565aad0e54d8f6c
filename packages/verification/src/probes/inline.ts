import { literal } from '@aclue/db';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

/**
 * A probe statement as one piece of SQL text, its values written in as literals, so a batch of
 * probes can travel to the server as data and run there (see `attemptAll`). A quoted literal is
 * untyped, as a parameter sent by the drivers is: the server infers the same types either way.
 * Only for the statements the probes build: the scanner knows quoted strings and identifiers, not
 * comments, dollar quotes or E'' strings in the statement's own text.
 */

const dialect = new PgDialect();

/** The text node-postgres and PGlite send for an untyped parameter of these values. */
function parameterText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  // Column encoders turn arrays, JSON and binary values into text before they get here; a raw
  // one would be sent differently by each driver, so it is refused rather than guessed at.
  throw new TypeError(`a probe parameter of type ${typeof value} cannot be written as a literal`);
}

function quoted(text: string | null): string {
  if (text === null) return 'NULL';
  // An E'' string reads the same whatever standard_conforming_strings says.
  return text.includes('\\') ? `E${literal(text.replaceAll('\\', '\\\\'))}` : literal(text);
}

/** `$n` placeholders outside quoted strings and identifiers, replaced by `values[n - 1]`. */
export function inlineValues(text: string, values: readonly unknown[]): string {
  let out = '';
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote) {
      out += c;
      if (c === quote) quote = undefined; // a doubled quote re-enters at once: same result
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
      continue;
    }
    const placeholder = c === '$' ? /^\$(\d+)/.exec(text.slice(i)) : null;
    if (!placeholder) {
      out += c;
      continue;
    }
    const index = Number(placeholder[1]) - 1;
    if (index >= values.length) throw new RangeError(`no value for placeholder $${index + 1}`);
    out += quoted(parameterText(values[index]));
    i += placeholder[0].length - 1;
  }
  return out;
}

/** `query` as SQL text with its values inlined. */
export function inlineSql(query: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(query);
  // Nothing to write in: DDL text stays exactly as declared (its $ may be anything).
  return params.length === 0 ? text : inlineValues(text, params);
}
