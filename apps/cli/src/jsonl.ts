import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

/** A line of a JSON-lines file that cannot be loaded: names the file and the line, not its text. */
export class JsonLinesError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${basename(file)} line ${line}: ${problem}`);
  }
}

export interface JsonLine {
  /** 1-based. */
  number: number;
  /** The line's text, exactly as stored (without its newline). */
  text: string;
  /** The one JSON object the line holds: own keys only, on a null prototype. */
  value: Record<string, unknown>;
}

/**
 * Reads `file` one line at a time without ever holding more than `maxLineBytes` of a line, and
 * yields each as exactly one JSON object. Blank lines are skipped; anything else — a line longer
 * than the limit, not UTF-8, not JSON, two values on one line, an array or a scalar — stops the
 * read with a `JsonLinesError`. The parsed object has no prototype, so a `__proto__` key is an
 * ordinary key that the caller can refuse like any other unknown one.
 */
export async function* readJsonLines(
  file: string,
  { maxLineBytes }: { maxLineBytes: number },
): AsyncGenerator<JsonLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const finish = (bytes: Buffer): JsonLine | undefined => {
    number += 1;
    let text: string;
    try {
      text = decoder.decode(bytes).replace(/\r$/, '');
    } catch {
      throw new JsonLinesError(file, number, 'is not UTF-8 text');
    }
    if (text.trim() === '') return undefined;
    return { number, text, value: parseObject(file, number, text) };
  };
  for await (const chunk of createReadStream(file, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      if (pendingBytes + piece.length > maxLineBytes) {
        throw new JsonLinesError(file, number + 1, `is longer than ${maxLineBytes} bytes`);
      }
      const line = finish(pending.length === 0 ? piece : Buffer.concat([...pending, piece]));
      pending = [];
      pendingBytes = 0;
      if (line) yield line;
      start = end + 1;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > maxLineBytes) {
      throw new JsonLinesError(file, number + 1, `is longer than ${maxLineBytes} bytes`);
    }
    if (rest.length > 0) pending.push(Buffer.from(rest));
  }
  if (pendingBytes > 0) {
    const line = finish(Buffer.concat(pending));
    if (line) yield line;
  }
}

function parseObject(file: string, number: number, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the line: the row's values stay out of the report.
    throw new JsonLinesError(file, number, 'is not one JSON value (two objects on one line?)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JsonLinesError(file, number, 'holds no JSON object');
  }
  return Object.assign(Object.create(null), value) as Record<string, unknown>;
}
