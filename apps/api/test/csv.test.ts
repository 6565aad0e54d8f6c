import { describe, expect, it } from 'vitest';
import { neutralised, toCsv } from '../src/csv';

describe('CSV cells a spreadsheet would evaluate', () => {
  it('are prefixed with a quote, whatever hides the formula', () => {
    for (const text of [
      '=1+2',
      '+cmd',
      '-2+3',
      '@SUM(A1)',
      ' =1+2',
      '\u00a0=1',
      '\n=1',
      '\u0000=1',
      '\t',
      '\rx',
      '\nx',
      '＝1+2',
      '＋1',
      '－1',
      '＠x',
      '\u3000＝1',
    ]) {
      expect(neutralised(text), JSON.stringify(text)).toBe(`'${text}`);
    }
  });

  it('leave every other text, and numbers, as they are', () => {
    for (const text of ['winter sale', 'a=b', '1-2', 'mail@example.test', '', ' spaced']) {
      expect(neutralised(text)).toBe(text);
    }
    expect(toCsv([{ n: -1, s: '-1' }])).toBe("n,s\r\n-1,'-1\r\n");
    expect(toCsv([{ s: ' =HYPERLINK("x")' }])).toBe(`s\r\n"' =HYPERLINK(""x"")"\r\n`);
  });
});
