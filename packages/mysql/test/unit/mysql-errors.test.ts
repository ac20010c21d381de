import { ConfigurationError, DatabaseChangeError } from '@rotor/rotation-core';
import { MysqlConfigurationError, MysqlServerReplyError, MysqlStatementError } from '../../src/errors';
import { mysqlEngine } from '../../src/mysql-engine';
import { cachingSha2PasswordHash } from '../../src/mysql-password-hash';
import { parseServerVersion, quoteIdentifier } from '../../src/mysql-sql';

describe('MySQL engine errors', () => {
  it('refuses an unusable name or salt with a typed statement error', () => {
    expect(() => quoteIdentifier('a\0b')).toThrow(MysqlStatementError);
    expect(() => cachingSha2PasswordHash('p', 'short')).toThrow(MysqlStatementError);
    expect(() => quoteIdentifier('a\0b')).toThrow(DatabaseChangeError);
  });

  it('names a server reply it cannot read with a typed error', () => {
    expect(() => parseServerVersion('not a version')).toThrow(MysqlServerReplyError);
  });

  it('reports a bad username limit setting as a configuration error', () => {
    let thrown: unknown;
    try {
      mysqlEngine.maxUsernameLength({ USERNAME_CHARACTER_LIMIT: 'many' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MysqlConfigurationError);
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).name).toBe('MysqlConfigurationError');
  });
});
