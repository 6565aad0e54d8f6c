/** The families of checks, in report order. */
export type CheckCategory =
  | 'tables'
  | 'columns'
  | 'constraints'
  | 'indexes'
  | 'rls'
  | 'policies'
  | 'triggers'
  | 'functions'
  | 'privileges'
  | 'roles'
  | 'exposure'
  | 'durability'
  | 'comments'
  | 'probes'
  | 'lints'
  | 'data';

/** One assertion about the live database, passed or failed. */
export interface CheckResult {
  category: CheckCategory;
  /** The table it concerns, or null for database-wide checks. */
  table: string | null;
  /** What was checked, naming the object: `index idx_x`, `policy p: anon insert`. */
  name: string;
  ok: boolean;
  /** What is wrong, when it failed: expected vs actual. */
  detail?: string;
  /** What to do about it. */
  fix?: string;
  /** Why it matters: who gains what, or what can be lost, while it stays this way. */
  impact?: string;
  /**
   * A passing check's remark for the reader: something seen and deliberately left alone (an
   * object the platform owns, with its owner). Printed, never a failure.
   */
  note?: string;
}

export const pass = (category: CheckCategory, table: string | null, name: string): CheckResult => ({
  category,
  table,
  name,
  ok: true,
});

/** A pass that says what was seen and left alone, and why. */
export const noted = (
  category: CheckCategory,
  table: string | null,
  name: string,
  note: string,
): CheckResult => ({ category, table, name, ok: true, note });

export const fail = (
  category: CheckCategory,
  table: string | null,
  name: string,
  detail: string,
  fix: string,
  impact?: string,
): CheckResult => ({
  category,
  table,
  name,
  ok: false,
  detail,
  fix,
  ...(impact ? { impact } : {}),
});

/** Passes when `actual` equals `expected`; otherwise fails showing both. */
export function expectEqual(
  category: CheckCategory,
  table: string | null,
  name: string,
  expected: unknown,
  actual: unknown,
  fix: string,
): CheckResult {
  const e = JSON.stringify(expected);
  const a = JSON.stringify(actual);
  return e === a
    ? pass(category, table, name)
    : fail(category, table, name, `expected ${e}, found ${a}`, fix);
}
