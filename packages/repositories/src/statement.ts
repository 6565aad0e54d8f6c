import type { Executor } from '@aclue/db';
import { is, Placeholder, type Query, sql } from 'drizzle-orm';
import { callExecutor } from './scope';

/** What a reusable statement's builder returns: a drizzle query on the executor it was given. */
export interface Reusable<Result> {
  toSQL(): Query;
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<Result> };
  execute(values?: Record<string, unknown>): Promise<Result>;
}

let prepared = 0;

/**
 * A repository query drizzle composes once per process: on a server, it is built on the
 * process-wide executor every call runs through (see `callExecutor`) and `prepare`d, so its SQL
 * text, parameter order and result mapping are kept and each call only binds its values
 * (placeholders, named in `names`) on the call's connection. Composing a select (walking its SQL
 * chunks, checking each chunk's kind) cost more CPU on this path than the round trip it sends.
 * The same text every time also lets a pool with prepared statements name it once. On the
 * embedded database (a transaction of its own per call) it is built per call.
 *
 * Values bound to a placeholder reach the driver as they are (drizzle does not pass them through
 * the column's encoder): give strings, numbers or Dates the driver sends as such.
 */
export function reusable<const Names extends readonly string[], Result>(
  names: Names,
  build: (tx: Executor, value: (name: Names[number]) => Placeholder) => Reusable<Result>,
): (tx: Executor, values: Record<Names[number], unknown>) => Promise<Result> {
  const value = (name: Names[number]) => {
    if (!names.includes(name)) throw new TypeError(`${name} is not among [${names}]`);
    return sql.placeholder(name);
  };
  let composed: ReturnType<Reusable<Result>['prepare']> | undefined;
  return (tx, values) => {
    if (tx !== callExecutor) return placeholdersOnly(build(tx, value)).execute(values);
    if (!composed) {
      prepared += 1;
      composed = placeholdersOnly(build(tx, value)).prepare(`aclue_reusable_${prepared}`);
    }
    return composed.execute(values);
  };
}

/**
 * Only placeholders: a value written into the builder would be kept for every later call — the
 * first caller's id, say, for everyone.
 */
function placeholdersOnly<Built extends Reusable<unknown>>(built: Built): Built {
  if (!built.toSQL().params.every((param) => is(param, Placeholder))) {
    throw new TypeError('a reusable statement takes its values as placeholders only');
  }
  return built;
}
