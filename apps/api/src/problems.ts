import {
  ConstraintViolationError,
  DatabaseUnavailableError,
  InvalidTokenError,
  RepositoryError,
  SigningKeysUnavailableError,
  ValidationError,
  type ValidationIssue,
} from '@aclue/repositories';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** An RFC 9457 problem document, as every error response of this service is. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://aclue.dev/problems/validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string(), row: z.number().int().optional() }))
      .optional(),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof problemSchema>;

const titles: Record<number, [slug: string, title: string]> = {
  400: ['bad-request', 'The request is malformed'],
  401: ['unauthenticated', 'The caller could not be identified'],
  403: ['forbidden', 'The caller may not do this'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'The request conflicts with what is stored'],
  413: ['too-large', 'The request body is too large'],
  415: ['unsupported-media-type', 'The body must be JSON'],
  422: ['validation', 'The input breaks a rule'],
  429: ['rate-limited', 'Too many requests'],
  500: ['internal', 'Internal error'],
  503: ['unavailable', 'The service is unavailable; retry shortly'],
};

/** An error this service raises on purpose, answered as the problem it describes. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly extra: { errors?: ValidationIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

/** Sends `status` as `application/problem+json`. */
export function problem(
  c: Context,
  status: number,
  detail?: string,
  extra: { errors?: ValidationIssue[]; headers?: Record<string, string> } = {},
): Response {
  const [slug, title] = titles[status] ?? titles[500] ?? ['internal', 'Internal error'];
  const body: Problem = {
    type: `https://aclue.dev/problems/${slug}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    instance: c.req.path,
    ...(c.get('requestId') ? { requestId: c.get('requestId') } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  for (const [name, value] of Object.entries(extra.headers ?? {})) c.header(name, value);
  return c.body(JSON.stringify(body), status as 400, {
    'content-type': 'application/problem+json',
  });
}

/**
 * What a thrown error means to the client. Repository errors carry their own status and a
 * message written for callers (no SQL, no values); anything else is a 500 whose detail is only
 * the request id, so nothing internal leaks.
 */
export function problemOf(error: unknown): {
  status: number;
  detail?: string;
  errors?: ValidationIssue[];
  headers?: Record<string, string>;
  unexpected: boolean;
} {
  if (error instanceof ProblemError) {
    return { status: error.status, detail: error.message, ...error.extra, unexpected: false };
  }
  if (error instanceof RepositoryError) {
    // The error knows its status; only what a client needs besides it is added here.
    return {
      status: error.status,
      detail: error.message,
      ...extrasOf(error),
      unexpected: error.status === 500,
    };
  }
  if (error instanceof HTTPException) {
    return { status: error.status, detail: error.message || undefined, unexpected: false };
  }
  return { status: 500, unexpected: true };
}

/** The headers and field list that go with a repository error's status. */
function extrasOf(error: RepositoryError): {
  errors?: ValidationIssue[];
  headers?: Record<string, string>;
} {
  if (error instanceof SigningKeysUnavailableError) return { headers: { 'retry-after': '5' } };
  if (error instanceof InvalidTokenError) {
    return { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
  if (error instanceof ValidationError) return { errors: error.issues };
  if (error instanceof ConstraintViolationError) {
    return { errors: [{ field: error.constraint, message: error.message }] };
  }
  if (error instanceof DatabaseUnavailableError) return { headers: { 'retry-after': '2' } };
  return {};
}
