import { performance } from 'node:perf_hooks';

export interface Task {
  name: string;
  /** Untimed preparation of one run (a fresh database, ...); its result is passed to `run`. */
  prepare?: () => Promise<unknown>;
  run: (prepared: unknown) => Promise<unknown>;
  /** Untimed clean-up after one run. */
  cleanUp?: (prepared: unknown) => Promise<void>;
}

export interface Measurement {
  name: string;
  p50: number;
  p95: number;
  runs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

/**
 * Times tasks side by side: each round runs every task once, in turn, so a task and its baseline
 * see the same machine state. The first round warms up and is discarded.
 */
export async function measure(tasks: Task[], rounds: number): Promise<Measurement[]> {
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const task of tasks) {
      const prepared = await task.prepare?.();
      const started = performance.now();
      await task.run(prepared);
      const elapsed = performance.now() - started;
      await task.cleanUp?.(prepared);
      if (round > 0) samples.get(task.name)?.push(elapsed);
    }
  }
  return tasks.map(({ name }) => {
    const sorted = [...(samples.get(name) ?? [])].sort((a, b) => a - b);
    return {
      name,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      runs: sorted.length,
    };
  });
}

/** `name  p50  p95  ratio` rows, the ratio against the named baseline's p50. */
export function formatMeasurements(title: string, rows: Measurement[], baseline: string): string {
  const base = rows.find((r) => r.name === baseline)?.p50 ?? Number.NaN;
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map(
    (r) =>
      `  ${r.name.padEnd(width)}  p50 ${r.p50.toFixed(1).padStart(8)} ms  p95 ${r.p95.toFixed(1).padStart(8)} ms  ×${(r.p50 / base).toFixed(2)}`,
  );
  return [`${title} (ratio against ${baseline}, ${rows[0]?.runs ?? 0} runs each)`, ...lines].join(
    '\n',
  );
}
