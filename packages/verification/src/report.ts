import type { CheckResult } from './results';
import type { VerificationReport } from './verify';

const groupByTable = (results: CheckResult[]) => {
  const groups = new Map<string, CheckResult[]>();
  for (const result of results) {
    const key = result.table ?? '(database)';
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return groups;
};

/** One line: `312 checks, 0 failed`. */
export const summaryLine = (report: VerificationReport) =>
  `${report.checks} checks, ${report.failed} failed`;

/**
 * The report for people: per table, the count of checks and each failure with what is wrong and
 * the fix; `all` also lists the passing checks.
 */
export function formatText(report: VerificationReport, { all = false } = {}): string {
  const lines: string[] = [];
  for (const [table, results] of groupByTable(report.results)) {
    const failed = results.filter((r) => !r.ok);
    lines.push(
      `${failed.length === 0 ? '✔' : '✘'} ${table}: ${results.length} checks, ${failed.length} failed`,
    );
    for (const r of all ? results : results.filter((r) => !r.ok || r.note)) {
      lines.push(
        r.ok
          ? `    ${r.note ? 'ℹ' : '✔'} [${r.category}] ${r.name}${r.note ? `: ${r.note}` : ''}`
          : `    ✘ [${r.category}] ${r.name}: ${r.detail}${r.impact ? `\n      why: ${r.impact}` : ''}\n      fix: ${r.fix}`,
      );
    }
  }
  lines.push('', `${summaryLine(report)} (schema ${report.schema}, ${report.durationMs} ms)`);
  return lines.join('\n');
}

const xml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** JUnit XML for CI: one test suite per table, one test case per check. */
export function formatJunit(report: VerificationReport): string {
  const suites = [...groupByTable(report.results)].map(([table, results]) => {
    const failures = results.filter((r) => !r.ok).length;
    const cases = results.map((r) => {
      const name = xml(`[${r.category}] ${r.name}`);
      if (r.ok && r.note) {
        return `    <testcase classname="${xml(table)}" name="${name}">\n      <system-out>${xml(r.note)}</system-out>\n    </testcase>`;
      }
      return r.ok
        ? `    <testcase classname="${xml(table)}" name="${name}"/>`
        : `    <testcase classname="${xml(table)}" name="${name}">\n      <failure message="${xml(r.detail ?? '')}">${xml(`${r.impact ? `why: ${r.impact}\n` : ''}fix: ${r.fix ?? ''}`)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(table)}" tests="${results.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="aclue-db verify" tests="${report.checks}" failures="${report.failed}">\n${suites.join('\n')}\n</testsuites>\n`;
}
