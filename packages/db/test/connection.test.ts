import { describe, expect, it } from 'vitest';
import { createDb, DatabaseConnectionError } from '../src';
import { describeConnectionFailure, redactUrl } from '../src/connection';

const url = 'postgres://app:s3cret@db.example.test:6543/aclue';

describe('connection failures read as one actionable line', () => {
  it.each([
    ['28P01', /rejected the password for user "app"/],
    ['28000', /refused user "app"/],
    ['3D000', /database "aclue" does not exist on db.example.test:6543/],
    ['ECONNREFUSED', /cannot reach PostgreSQL at db.example.test:6543: connection refused/],
    ['ENOTFOUND', /host db.example.test not found/],
  ])('explains driver code %s', (code, message) => {
    const error = describeConnectionFailure(url, Object.assign(new Error('raw'), { code }));
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('\n');
  });

  it('never prints the password of a URL', () => {
    expect(redactUrl(url)).toBe('postgres://app@db.example.test:6543/aclue');
  });

  it('rejects a URL of another database before connecting', async () => {
    await expect(createDb({ url: 'mysql://root@localhost/db' })).rejects.toThrow(
      /must be a PostgreSQL URL/,
    );
  });
});
