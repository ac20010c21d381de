import { isDistinctive, parseDatabaseSecret, Redactor, SecretFormatError } from '../../src';

const rules = {
  engineNames: ['postgres', 'aurora-postgresql'],
  defaultPort: 5432,
  requireEngine: true,
  requireMasterArn: false,
};

describe('redaction side channels (defect 9)', () => {
  const password = 'Sup3r-Secret-Value';

  it.each([
    ['the password under "port"', { port: password, password: '5432' }, password],
    ['the password under "engine"', { engine: password, password: 'postgres' }, password],
    ['a number under "port"', { port: 99999, password: 'x' }, '99999'],
  ])('a SecretFormatError about %s names the key, never the value', (_name, swapped, leaked) => {
    const value = { engine: 'postgres', host: 'db.example.com', username: 'app', ...swapped };
    let error: unknown;
    try {
      parseDatabaseSecret(JSON.stringify(value), rules, 'the AWSCURRENT secret value', {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretFormatError);
    const message = (error as Error).message;
    expect(message).toMatch(/key "(port|engine)"/);
    expect(message).not.toContain(leaked);
  });

  it('does not point at a common word by masking it: a password "postgres" leaves "postgres" alone', () => {
    const redactor = new Redactor();
    redactor.remember('postgres', 'localhost', '5432', 'abc');
    const line = 'logged in to postgres at localhost:5432 (engine postgres, user abc)';
    expect(redactor.redact(line)).toBe(line);
  });

  it('masks distinctive stored values and every generated password', () => {
    const redactor = new Redactor();
    redactor.remember('Postgres12', 'abcdefghijklmnopq');
    redactor.rememberGenerated('48213957');
    expect(redactor.redact('x Postgres12 y abcdefghijklmnopq z 48213957')).toBe(
      'x [REDACTED] y [REDACTED] z [REDACTED]',
    );
  });

  it.each([
    ['postgres', false],
    ['localhost', false],
    ['administrator', false],
    ['Ab1', false],
    ['Password', true],
    ['pw-secret-1', true],
    ['0123456789012345', true],
  ])('isDistinctive(%p) is %p', (value, expected) => {
    expect(isDistinctive(value)).toBe(expected);
  });
});
