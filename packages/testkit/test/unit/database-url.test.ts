import { formatDatabaseUrl, parseDatabaseUrl } from '../../src/database-url';
import { DatabaseUrlError } from '../../src/errors';

const VAR = 'ROTOR_TEST_POSTGRES_URL';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseDatabaseUrl', () => {
  it('reads every part of a postgres URL', () => {
    expect(parseDatabaseUrl('postgres', 'postgres://admin:s3cret@db.example:6543/app', VAR)).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'admin',
      password: 's3cret',
      database: 'app',
    });
  });

  it('accepts postgresql:// and fills in the default port and no database', () => {
    expect(parseDatabaseUrl('postgres', 'postgresql://admin:pw@localhost', VAR)).toEqual({
      host: 'localhost',
      port: 5432,
      user: 'admin',
      password: 'pw',
    });
  });

  it('reads a MariaDB root URL with an empty password', () => {
    expect(parseDatabaseUrl('mariadb', 'mysql://root@127.0.0.1:3306', 'ROTOR_TEST_MARIADB_URL')).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
    });
  });

  it('uses the engine default ports for sqlserver, mongodb and redshift', () => {
    expect(parseDatabaseUrl('sqlserver', 'mssql://sa:pw@h', 'V').port).toBe(1433);
    expect(parseDatabaseUrl('mongodb', 'mongodb://root:pw@h', 'V').port).toBe(27017);
    expect(parseDatabaseUrl('redshift', 'redshift://admin:pw@cluster.example/dev', 'V')).toMatchObject({
      port: 5439,
      database: 'dev',
    });
  });

  it('percent-decodes user, password and database', () => {
    const address = parseDatabaseUrl('postgres', 'postgres://a%40b:p%2Fw%3A%40@h/my%20db', VAR);
    expect(address).toMatchObject({ user: 'a@b', password: 'p/w:@', database: 'my db' });
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(parseDatabaseUrl('postgres', 'postgres://u:p@[::1]:5433', VAR)).toMatchObject({
      host: '::1',
      port: 5433,
    });
  });

  it.each([
    ['not a URL', 'definitely not a url', /ROTOR_TEST_POSTGRES_URL is not a URL/],
    [
      'the wrong scheme',
      'mysql://u:hunter2@h:3306',
      /ROTOR_TEST_POSTGRES_URL has scheme mysql:\/\/; postgres needs/,
    ],
    ['no user', 'postgres://:hunter2@h:5432', /has no user name/],
    ['a broken escape', 'postgres://u:hunter2%zz@h', /badly percent-encoded password/],
  ])('rejects %s naming the variable and never the password', (_case, url, message) => {
    const error = errorOf(() => parseDatabaseUrl('postgres', url, VAR));
    expect(error).toBeInstanceOf(DatabaseUrlError);
    expect(error.name).toBe('DatabaseUrlError');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('formatDatabaseUrl', () => {
  it('round-trips through parseDatabaseUrl with awkward characters', () => {
    const address = { host: '::1', port: 5433, user: 'r@t', password: 'p/w:@ %', database: 'd b' };
    const url = formatDatabaseUrl('postgres', address);
    expect(url.startsWith('postgres://')).toBe(true);
    expect(parseDatabaseUrl('postgres', url, VAR)).toEqual(address);
  });

  it('writes mysql:// for MariaDB and leaves the database out when there is none', () => {
    expect(formatDatabaseUrl('mariadb', { host: '127.0.0.1', port: 3306, user: 'root', password: '' })).toBe(
      'mysql://root:@127.0.0.1:3306',
    );
  });
});
