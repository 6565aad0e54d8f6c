import { constraintMessages } from '@aclue/db';
import type { z } from 'zod';

/** Base of every error a repository raises on purpose. */
export class RepositoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Row of a batch, when the input was one. */
  row?: number;
  /** The field, as the caller named it (`commissionRate`, `filterCriteria.colour`). */
  field: string;
  /** The rule it broke, readable. */
  message: string;
}

/** Input broke a rule; nothing was written. Lists every field and rule. */
export class ValidationError extends RepositoryError {
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `invalid input: ${issues
        .map(
          (i) =>
            `${i.row === undefined ? '' : `row ${i.row}: `}${i.field || '(row)'}: ${i.message}`,
        )
        .join('; ')}`,
    );
  }

  static fromZod(error: z.ZodError, row?: number): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({
        ...(row === undefined ? {} : { row }),
        field: issue.path.join('.'),
        message: issue.message,
      })),
    );
  }
}

/** The database refused a row by a named constraint; the message says which rule in words. */
export class ConstraintViolationError extends RepositoryError {
  constructor(
    readonly constraint: string,
    readonly kind: 'check' | 'unique' | 'foreign key' | 'not null',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No such row — or one the caller may not see, which is the same thing to the caller. */
export class NotFoundError extends RepositoryError {}

/** The caller's identity may not do this (RLS or privileges refused it). */
export class AccessDeniedError extends RepositoryError {}

interface DriverError {
  code?: string;
  constraint?: string;
  column?: string;
  message?: string;
}

const kinds: Record<string, ConstraintViolationError['kind']> = {
  '23514': 'check',
  '23505': 'unique',
  '23503': 'foreign key',
  '23502': 'not null',
};

/**
 * Turns a driver error into a typed one with a readable message: constraint violations by their
 * constraint's name, refusals by RLS or privileges as access denied. Anything else is returned
 * as it is.
 */
export function toRepositoryError(error: unknown): unknown {
  if (error instanceof RepositoryError) return error;
  const cause = ((error as { cause?: DriverError }).cause ?? error) as DriverError;
  const kind = cause.code ? kinds[cause.code] : undefined;
  if (kind) {
    const name = cause.constraint ?? cause.column ?? 'unknown';
    const message =
      (cause.constraint && constraintMessages[cause.constraint]) ??
      (kind === 'not null' ? `${cause.column} is required` : (cause.message ?? name));
    return new ConstraintViolationError(name, kind, message, { cause: error });
  }
  if (cause.code === '42501') {
    return new AccessDeniedError(`not allowed: ${cause.message ?? 'permission denied'}`, {
      cause: error,
    });
  }
  return error;
}

/** Parses input with a zod schema, or throws a ValidationError naming every field and rule. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  row?: number,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, row);
  return result.data;
}

/**
 * Validates `input` for a write: keys outside `allowed` are refused by name with `why` (set from
 * the caller's identity, or by the service role), then `input` merged with `fixed` is parsed by
 * the table's insert schema, which mirrors every database check.
 */
export function validateWrite<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  {
    allowed,
    fixed = {},
    why,
    row,
  }: {
    allowed: readonly string[];
    fixed?: Record<string, unknown>;
    why: string;
    row?: number;
  },
): z.output<S> {
  const refused = Object.keys(input).filter((key) => !allowed.includes(key));
  if (refused.length > 0) {
    throw new ValidationError(
      refused.map((field) => ({ ...(row === undefined ? {} : { row }), field, message: why })),
    );
  }
  return validate(schema, { ...input, ...fixed }, row);
}

/**
 * Validates every row of a batch with `parse`; throws one ValidationError naming each bad row,
 * field and rule, so a batch is written whole or not at all.
 */
export function validateRows<In, Out>(
  rows: readonly In[],
  parse: (row: In, index: number) => Out,
): Out[] {
  const issues: ValidationIssue[] = [];
  const valid = rows.flatMap((row, index) => {
    try {
      return [parse(row, index)];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
      return [];
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return valid;
}
