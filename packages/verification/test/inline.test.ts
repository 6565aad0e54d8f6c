import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inlineSql, inlineValues } from '../src/probes/inline';

describe('probe statements with their values written in', () => {
  it('replaces each placeholder by its value, $10 not read as $1', () => {
    const values = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    expect(inlineValues('SELECT $1, $10', values)).toBe("SELECT 'a', 'j'");
  });

  it('leaves $n inside quoted strings and identifiers alone', () => {
    expect(inlineValues(`SELECT '$1', 'it''s $1', "col$1", $1`, ['x'])).toBe(
      `SELECT '$1', 'it''s $1', "col$1", 'x'`,
    );
  });

  it('quotes values so they cannot end the literal, backslashes kept', () => {
    expect(inlineValues('SELECT $1', ["x'); DROP TABLE t; --"])).toBe(
      "SELECT 'x''); DROP TABLE t; --'",
    );
    expect(inlineValues('SELECT $1', ['a\\b'])).toBe("SELECT E'a\\\\b'");
  });

  it('writes null, numbers, booleans and times as the drivers send them', () => {
    const at = new Date('2026-01-02T03:04:05.006Z');
    expect(inlineValues('VALUES ($1, $2, $3, $4)', [null, 1.5, true, at])).toBe(
      "VALUES (NULL, '1.5', 'true', '2026-01-02T03:04:05.006Z')",
    );
  });

  it('refuses a value a driver would encode its own way', () => {
    expect(() => inlineValues('SELECT $1', [[1, 2]])).toThrow(/cannot be written as a literal/);
    expect(() => inlineValues('SELECT $2', ['only one'])).toThrow(/no value for placeholder \$2/);
  });

  it('inlines drizzle SQL, and keeps text without values exactly', () => {
    expect(inlineSql(sql`SELECT ${'x'} AS v`)).toBe("SELECT 'x' AS v");
    expect(inlineSql(sql.raw(`CREATE TABLE t (c text CHECK (c ~ '^a$'))`))).toBe(
      `CREATE TABLE t (c text CHECK (c ~ '^a$'))`,
    );
  });
});
