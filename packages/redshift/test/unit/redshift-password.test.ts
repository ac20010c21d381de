import { generatePassword, loadRotationConfig } from '@rotor/rotation-core';
import { redshiftEngine } from '../../src/redshift-engine';
import { createRedshiftRotationHandler } from '../../src/redshift-handler';
import { redshiftPasswordProblems, redshiftSettingsProblems } from '../../src/redshift-password';

describe('Redshift password rules', () => {
  it('accepts 8 to 64 characters with upper, lower and digit', () => {
    expect(redshiftPasswordProblems('Abcdefg1')).toEqual([]);
    expect(redshiftPasswordProblems(`Ab1${'x'.repeat(61)}`)).toEqual([]);
  });

  it.each([
    ['Abcdef1', /7 characters/],
    [`Ab1${'x'.repeat(62)}`, /65 characters/],
    ['abcdefg1', /upper-case/],
    ['ABCDEFG1', /lower-case/],
    ['Abcdefgh', /digit/],
    ["Abcdefg1'", /refuses/],
    ['Abcdefg1@', /refuses/],
    ['Abcd efg1', /refuses/],
    ['Abcd:efg1', /refuses/],
    ['Abcdéfg1', /refuses/],
  ])('refuses %j', (password, problem) => {
    const problems = redshiftPasswordProblems(password);
    expect(problems.join('; ')).toMatch(problem);
    expect(problems.join('; ')).not.toContain(password);
  });

  it('the default configuration generates passwords Redshift accepts, also with EXCLUDE_* classes set', () => {
    for (const env of [
      {},
      { EXCLUDE_UPPERCASE: 'true', EXCLUDE_NUMBERS: 'true', EXCLUDE_LOWERCASE: 'true' },
    ]) {
      expect(redshiftSettingsProblems(env)).toEqual([]);
      const { password } = loadRotationConfig(redshiftEngine, env);
      for (let i = 0; i < 200; i++) expect(redshiftPasswordProblems(generatePassword(password))).toEqual([]);
    }
  });

  it('names the variable that would make passwords Redshift refuses', () => {
    expect(redshiftSettingsProblems({ PASSWORD_LENGTH: '65' }).join()).toMatch(
      /^PASSWORD_LENGTH must be 8 to 64/,
    );
    expect(redshiftSettingsProblems({ PASSWORD_LENGTH: '7' }).join()).toMatch(/PASSWORD_LENGTH/);
    expect(redshiftSettingsProblems({ PASSWORD_LENGTH: '64' })).toEqual([]);
    expect(redshiftSettingsProblems({ EXCLUDE_CHARACTERS: '/@' }).join()).toMatch(
      /EXCLUDE_CHARACTERS must include .*' " \\ space : missing/,
    );
    expect(redshiftSettingsProblems({ EXCLUDE_CHARACTERS: `'"\\/@ :0123456789` }).join()).toMatch(
      /EXCLUDE_CHARACTERS excludes every character of a class Redshift requires \(a digit\)/,
    );
  });

  it('the handler refuses such a configuration at cold start with a typed error', () => {
    expect(() => createRedshiftRotationHandler('single-user', { env: { PASSWORD_LENGTH: '100' } })).toThrow(
      expect.objectContaining({
        name: 'RedshiftConfigurationError',
        message: expect.stringMatching(/PASSWORD_LENGTH/),
      }),
    );
    expect(() => createRedshiftRotationHandler('alternating-users', { env: {} })).not.toThrow();
  });
});
