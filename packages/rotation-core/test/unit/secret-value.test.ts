import {
  alternateUsername,
  parseDatabaseSecret,
  SecretFormatError,
  sameHost,
  UnsupportedEngineError,
} from '../../src';

const rules = {
  engineNames: ['postgres', 'aurora-postgresql'],
  defaultPort: 5432,
  requireEngine: true,
  requireMasterArn: false,
};
const base = { engine: 'postgres', host: 'db.example.com', username: 'app', password: 'pw-secret-1' };
const parse = (value: unknown, r = rules) =>
  parseDatabaseSecret(
    typeof value === 'string' ? value : JSON.stringify(value),
    r,
    'the AWSCURRENT secret value',
    { secretId: 's' },
  );

describe('parseDatabaseSecret', () => {
  it('reads the AWS format with defaults and keeps unknown keys', () => {
    const s = parse({ ...base, custom: { a: 1 } });
    expect(s).toMatchObject({
      engine: 'postgres',
      host: 'db.example.com',
      port: 5432,
      username: 'app',
      ssl: 'prefer',
    });
    expect(s.fields.custom).toEqual({ a: 1 });
  });

  it('accepts port as a number or a numeric string', () => {
    expect(parse({ ...base, port: 6543 }).port).toBe(6543);
    expect(parse({ ...base, port: '6543' }).port).toBe(6543);
    expect(parse({ ...base, port: ' 6543 ' }).port).toBe(6543);
  });

  it.each([
    [true, 'require'],
    ['TRUE', 'require'],
    [false, 'disable'],
    ['False', 'disable'],
    ['verify-full', 'prefer'],
    [1, 'prefer'],
  ])('ssl %p means %s', (ssl, mode) => {
    expect(parse({ ...base, ssl }).ssl).toBe(mode);
  });

  it.each([
    ['not JSON', '{host:', /is not valid JSON/],
    ['a JSON array', '[1,2]', /must be a JSON object/],
    ['missing host', { ...base, host: undefined }, /key "host" is missing/],
    ['numeric username', { ...base, username: 5 }, /key "username" must be a string, not a number/],
    ['empty password', { ...base, password: '' }, /key "password" is empty/],
    ['missing engine', { ...base, engine: undefined }, /key "engine" is missing/],
    ['port out of range', { ...base, port: 70000 }, /key "port" must be a port number/],
    [
      'port not numeric',
      { ...base, port: 'abc' },
      /key "port" must be a port number .* not a string that is not a whole number/,
    ],
    ['port object', { ...base, port: {} }, /not a object/],
    ['control character in username', { ...base, username: 'a\u0000b' }, /control characters/],
    ['empty dbname', { ...base, dbname: '' }, /key "dbname" is empty/],
    ['non-ARN masterarn', { ...base, masterarn: 'super' }, /masterarn/],
  ])('rejects %s naming the problem', (_name, value, message) => {
    expect(() => parse(value)).toThrow(SecretFormatError);
    expect(() => parse(value)).toThrow(message);
  });

  it('rejects another engine with UnsupportedEngineError', () => {
    expect(() => parse({ ...base, engine: 'mysql' })).toThrow(UnsupportedEngineError);
    expect(() => parse({ ...base, engine: 'mysql' })).toThrow(
      /key "engine" names an engine this function does not rotate \(expected postgres, aurora-postgresql\)/,
    );
  });

  it('requires masterarn for alternating users and says so', () => {
    expect(() => parse(base, { ...rules, requireMasterArn: true })).toThrow(/key "masterarn" is missing/);
  });

  it('never puts the password or the secret string in the error', () => {
    const secret = { ...base, port: 'nope', password: 'Sup3r-Secret-Value' };
    try {
      parse(secret);
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as Error).message).not.toContain('Sup3r-Secret-Value');
    }
    try {
      parse('{"password":"Sup3r-Secret-Value",');
    } catch (error) {
      expect((error as Error).message).not.toContain('Sup3r');
    }
  });
});

describe('alternate usernames and hosts', () => {
  it('appends or strips _clone', () => {
    expect(alternateUsername('app')).toBe('app_clone');
    expect(alternateUsername('app_clone')).toBe('app');
    expect(alternateUsername('app_clone_clone')).toBe('app_clone');
  });
  it('compares hosts as DNS names', () => {
    expect(sameHost('DB.example.com.', 'db.example.com')).toBe(true);
    expect(sameHost('db1.example.com', 'db2.example.com')).toBe(false);
  });
});
