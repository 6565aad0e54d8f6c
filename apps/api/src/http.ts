import type { ValidationIssue } from '@aclue/repositories';
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Context, Handler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ProblemError, problemSchema } from './problems';

/** What every request carries through the middleware. */
export type ApiEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** The client's address, hashed with the server's key: logs and rate limits use only this. */
    addressKey: string;
    /** The client's address in clear, for the tracking rows that record it. */
    address: string;
  };
};

export type Api = OpenAPIHono<ApiEnv>;

/** The problem responses a route documents besides its own. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `problem (${status})`,
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );

/**
 * Mounts `handler` at the route and documents it in the OpenAPI document. Validation is this
 * file's (`readBody`, `readQuery`), so JSON and `navigator.sendBeacon`'s `text/plain` bodies take
 * one path and every refusal is the same problem document.
 */
export function route<E extends ApiEnv = ApiEnv>(
  app: Api,
  config: RouteConfig,
  ...handlers: Handler<E>[]
): void {
  app.openAPIRegistry.registerPath(config);
  const path = config.path.replace(/\{(\w+)\}/g, ':$1');
  // A caller middleware (see callers.ts) sets what `E` adds before the last handler reads it.
  app.on(config.method.toUpperCase(), path, ...(handlers as unknown as [Handler<ApiEnv>]));
}

/** Refuses bodies over `bytes` with 413 before reading them whole. */
export const sizeLimit = (bytes: number) =>
  bodyLimit({
    maxSize: bytes,
    onError: () => {
      // The rest of the body is not read: the connection closes after the answer.
      throw new ProblemError(413, `the body is larger than ${bytes} bytes`, {
        headers: { connection: 'close' },
      });
    },
  });

const jsonTypes = /^(application\/(json|[\w.+-]+\+json)|text\/plain)\s*(;|$)/i;

/**
 * The request body as JSON, checked by `schema`: 415 for another media type (JSON, or the
 * `text/plain` a beacon sends), 400 for text that is not JSON, 422 naming each field and rule.
 */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!jsonTypes.test(type)) {
    throw new ProblemError(
      415,
      'send the body as application/json (or text/plain JSON from a beacon)',
    );
  }
  return checked(schema, parseJson(await readText(c)), 'body');
}

/** `text` as JSON, or 400. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProblemError(400, 'the body is not valid JSON');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw body as text; bytes that are not UTF-8 are refused (400), never stored as U+FFFD. */
export async function readText(c: Context): Promise<string> {
  try {
    return utf8.decode(await c.req.arrayBuffer());
  } catch (error) {
    if (error instanceof TypeError) throw new ProblemError(400, 'the body is not valid UTF-8');
    throw error;
  }
}

/** The query string, checked by `schema` (422 naming each parameter). */
export function readQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  return checked(schema, c.req.query(), 'query');
}

/** Path parameters, checked by `schema` (404 when one is malformed: no such resource). */
export function readParams<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  const result = schema.safeParse(c.req.param());
  if (!result.success) throw new ProblemError(404, 'no such resource');
  return result.data;
}

function checked<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: ValidationIssue[] = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || where,
    message: issue.message,
  }));
  throw new ProblemError(
    422,
    `invalid ${where}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

/**
 * Who may call an operation, as OpenAPI security requirements (alternatives; `{}` means the
 * operation also works with none). The schemes are registered in app.ts.
 */
type Requirement = Record<string, string[]>;
const anyOf = (...requirements: Requirement[]): Requirement[] => requirements;

/** A signed-in user's access token, or a visitor's proof (header or cookie). */
const visitorOrUser = anyOf({ accessToken: [] }, { visitorProof: [] }, { visitorCookie: [] });

export const security = {
  /** Health probes: anyone. */
  public: anyOf(),
  visitorOrUser,
  /** As `visitorOrUser`, and a caller with neither gets a visitor id. */
  anyone: anyOf(...visitorOrUser, {}),
  /** A signed-in user. */
  user: anyOf({ accessToken: [] }),
  /** The service: one of SERVICE_API_KEYS, or a service_role token. */
  service: anyOf({ serviceKey: [] }),
  /** An affiliate network, by the signature of its webhook. */
  network: anyOf({ networkSignature: [] }),
};
