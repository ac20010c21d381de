import type { DatabaseEngine } from '../../src';
import { CHARACTER_CLASSES, ConfigurationError, generatePassword, loadRotationConfig } from '../../src';

const engine = {
  family: 'test',
  engineNames: ['test'],
  settings: [],
  defaultPort: 1,
  defaultExcludeCharacters: ':/@"\'\\',
  maxUsernameLength: () => 63,
} as unknown as DatabaseEngine;

describe('password settings (AWS template variables)', () => {
  it('defaults to 32 characters of every class without the engine exclusions', () => {
    const config = loadRotationConfig(engine, {});
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(config.password);
      expect(p).toHaveLength(32);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[0-9]/);
      expect([...p].some((c) => CHARACTER_CLASSES.punctuation.includes(c))).toBe(true);
      expect(p).not.toMatch(/[:/@"'\\ ]/);
    }
  });

  it('honours EXCLUDE_* and PASSWORD_LENGTH', () => {
    const config = loadRotationConfig(engine, {
      PASSWORD_LENGTH: '12',
      EXCLUDE_PUNCTUATION: 'yes',
      EXCLUDE_UPPERCASE: 'TRUE',
      EXCLUDE_CHARACTERS: 'abc',
    });
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(config.password);
      expect(p).toMatch(/^[d-z0-9]{12}$/);
      expect(p).toMatch(/[0-9]/);
    }
  });

  it('keeps engine-required classes (Redshift) even when excluded', () => {
    const redshiftLike = {
      ...engine,
      requiredPasswordClasses: ['uppercase', 'lowercase', 'digit'],
    } as DatabaseEngine;
    const config = loadRotationConfig(redshiftLike, {
      EXCLUDE_NUMBERS: 'true',
      REQUIRE_EACH_INCLUDED_TYPE: 'false',
      PASSWORD_LENGTH: '8',
    });
    for (let i = 0; i < 100; i++)
      expect(generatePassword(config.password)).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9]).{8}$/);
  });

  it.each([
    [{ PASSWORD_LENGTH: '0' }, /PASSWORD_LENGTH must be a whole number from 1 to 4096, not "0"/],
    [{ PASSWORD_LENGTH: 'long' }, /PASSWORD_LENGTH/],
    [{ PASSWORD_LENGTH: '5000' }, /PASSWORD_LENGTH/],
    [{ PASSWORD_LENGTH: '3' }, /shorter than the 4 character types required/],
    // Defect 9: a 1-character password could never be masked in logs; refused at cold start.
    [{ PASSWORD_LENGTH: '1' }, /PASSWORD_LENGTH 1 is below the minimum of 8/],
    [{ PASSWORD_LENGTH: '7', EXCLUDE_PUNCTUATION: 'true' }, /PASSWORD_LENGTH 7 is below the minimum of 8/],
    [{ EXCLUDE_NUMBERS: 'maybe' }, /EXCLUDE_NUMBERS must be true or false/],
    [
      { EXCLUDE_NUMBERS: '1', EXCLUDE_PUNCTUATION: '1', EXCLUDE_UPPERCASE: '1', EXCLUDE_LOWERCASE: '1' },
      /every character is excluded/,
    ],
    [{ ROTOR_TLS_FALLBACK: 'sometimes' }, /ROTOR_TLS_FALLBACK must be allow or deny/],
    [{ ROTOR_CA_BUNDLE: '/nonexistent/ca.pem' }, /ROTOR_CA_BUNDLE file .* cannot be read/],
    [{ SECRETS_MANAGER_ENDPOINT: 'secretsmanager' }, /SECRETS_MANAGER_ENDPOINT must be an http\(s\) URL/],
    [{ ROTOR_LOG_LEVEL: 'loud' }, /ROTOR_LOG_LEVEL/],
  ])('rejects %p at cold start', (env, message) => {
    expect(() => loadRotationConfig(engine, env)).toThrow(ConfigurationError);
    expect(() => loadRotationConfig(engine, env)).toThrow(message);
  });

  it('reports every problem at once', () => {
    expect(() => loadRotationConfig(engine, { PASSWORD_LENGTH: 'x', EXCLUDE_NUMBERS: 'maybe' })).toThrow(
      /EXCLUDE_NUMBERS.*; PASSWORD_LENGTH/,
    );
  });
});
