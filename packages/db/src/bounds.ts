import { z } from 'zod';
import { bounds } from './schema/rules';

/**
 * Checks for values PostgreSQL would refuse or could not index, run before any SQL so the caller
 * gets the field and the rule instead of a driver error. The database's CHECKs stay the wall.
 */

/** PostgreSQL text cannot hold NUL, and an unpaired surrogate cannot be stored as UTF-8. */
export const isStorableText = (value: string) => !value.includes('\u0000') && value.isWellFormed();

export const storableTextMessage = (field: string) =>
  `${field} must be valid text (no NUL characters or unpaired surrogates)`;

/** A string PostgreSQL can store, of at most `max` characters, for fields with no column. */
export const storableString = (field: string, max: number = bounds.text) =>
  z
    .string()
    .max(max, `${field} must be at most ${max} characters`)
    .refine(isStorableText, storableTextMessage(field));

/**
 * Why a value is not a JSON object the schema accepts (`undefined` when it is): an object, nested
 * at most `bounds.jsonDepth` levels (the root is level 0, like jsonpath's `.**`), only storable
 * text in keys and strings, finite numbers, and at most `maxBytes` in PostgreSQL's text form
 * (which puts a space after every `:` and `,`). Iterative, so a hostile depth cannot overflow
 * the stack.
 */
export function jsonObjectProblem(value: unknown, maxBytes: number): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object';
  }
  const pending: [unknown, number][] = [[value, 0]];
  let separators = 0;
  while (pending.length > 0) {
    const [item, level] = pending.pop() as [unknown, number];
    if (level > bounds.jsonDepth) return `must be nested at most ${bounds.jsonDepth} levels deep`;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return 'must hold valid text (no NUL or unpaired surrogates)';
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return 'must hold finite numbers only';
    } else if (Array.isArray(item)) {
      separators += Math.max(0, item.length - 1);
      for (const element of item) pending.push([element, level + 1]);
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item);
      separators += Math.max(0, entries.length * 2 - 1);
      for (const [key, child] of entries) {
        if (!isStorableText(key))
          return 'must have valid text keys (no NUL or unpaired surrogates)';
        pending.push([child, level + 1]);
      }
    } else if (typeof item !== 'boolean' && item !== null) {
      return 'must hold JSON values only';
    }
  }
  const size = Buffer.byteLength(JSON.stringify(value)) + separators;
  return size > maxBytes ? `must be at most ${maxBytes} bytes` : undefined;
}

/**
 * A bounded JSON object (see `jsonObjectProblem`). The issue states `rule` when given (the
 * column's CHECK message), else what is wrong, naming `field`.
 */
export const jsonObject = (field: string, maxBytes: number = bounds.jsonBytes, rule?: string) =>
  z
    .custom<Record<string, unknown>>()
    .superRefine((value, ctx) => {
      const problem = jsonObjectProblem(value, maxBytes);
      if (problem) ctx.addIssue({ code: 'custom', message: rule ?? `${field} ${problem}` });
    })
    // What JSON Schema and OpenAPI generators show for it (a custom check has no shape of its own).
    .meta({
      type: 'object',
      additionalProperties: true,
      description: `a JSON object of at most ${maxBytes} bytes, nested at most ${bounds.jsonDepth} levels`,
    });

const earliest = new Date(`${bounds.earliest}T00:00:00Z`);

/** Whether an event time lies in the window the database accepts (`future`: no upper bound). */
export const isPlausibleTime = (value: Date, future = false) =>
  value >= earliest &&
  (future || value.getTime() <= Date.now() + bounds.futureSlackMinutes * 60_000);
