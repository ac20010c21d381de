import { DatabaseChangeError, RotationError } from '@rotor/rotation-core';
import { PostgresStatementError } from '../../src/errors';
import { quoteIdent, quoteLiteral, scramSha256Verifier } from '../../src/postgres-sql';

describe('PostgreSQL engine errors', () => {
  it('refuses an unusable name or value with a typed error that core passes on as it is', () => {
    for (const refuse of [
      () => quoteIdent(''),
      () => quoteIdent('a\0b'),
      () => quoteIdent('x'.repeat(64)),
      () => quoteLiteral('a\0b'),
      () => scramSha256Verifier('pw', { iterations: 0 }),
      () => scramSha256Verifier('pw', { salt: Buffer.alloc(0) }),
    ]) {
      let thrown: unknown;
      try {
        refuse();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PostgresStatementError);
      expect(thrown).toBeInstanceOf(DatabaseChangeError);
      expect(thrown).toBeInstanceOf(RotationError);
      expect((thrown as Error).name).toBe('PostgresStatementError');
    }
  });
});
