import type { DatabaseServer } from '../../src/database-server';
import {
  databaseAvailability,
  publishServer,
  publishSkip,
  resolvedUrlVariable,
  skipVariable,
  unpublish,
} from '../../src/jest/published-servers';

const server: DatabaseServer = {
  target: 'postgres',
  source: 'embedded',
  host: '127.0.0.1',
  port: 41234,
  user: 'postgres',
  password: 'pw',
  version: '17.6',
  url: 'postgres://postgres:pw@127.0.0.1:41234',
  stop: async () => {},
};

describe('published servers', () => {
  it('names the variables after the target', () => {
    expect(resolvedUrlVariable('mysql84')).toBe('ROTOR_RESOLVED_MYSQL84_URL');
    expect(skipVariable('sqlserver')).toBe('ROTOR_SKIP_SQLSERVER');
  });

  it('hands a published server over with its source and version', () => {
    const env: NodeJS.ProcessEnv = {};
    publishServer(server, env);
    expect(env.ROTOR_RESOLVED_POSTGRES_URL).toBe(server.url);
    const availability = databaseAvailability('postgres', env);
    expect(availability).toMatchObject({
      available: true,
      server: {
        target: 'postgres',
        source: 'embedded',
        host: '127.0.0.1',
        port: 41234,
        password: 'pw',
        version: '17.6',
      },
    });
  });

  it('hands over where the server sees the superuser come from, and unpublishes it', () => {
    const env: NodeJS.ProcessEnv = {};
    publishServer({ ...server, clientHost: '172.17.0.1' }, env);
    expect(env.ROTOR_RESOLVED_POSTGRES_CLIENT_HOST).toBe('172.17.0.1');
    expect(databaseAvailability('postgres', env)).toMatchObject({ server: { clientHost: '172.17.0.1' } });
    unpublish('postgres', env);
    expect(env).toEqual({});
  });

  it('hands a skip reason over, and publishing a server replaces it', () => {
    const env: NodeJS.ProcessEnv = {};
    publishSkip('postgres', 'no server (x)', env);
    expect(databaseAvailability('postgres', env)).toEqual({ available: false, reason: 'no server (x)' });
    publishServer(server, env);
    expect(env.ROTOR_SKIP_POSTGRES).toBeUndefined();
    unpublish('postgres', env);
    expect(env).toEqual({});
  });

  it('falls back to ROTOR_TEST_*_URL when no global setup ran', () => {
    const env = { ROTOR_TEST_MARIADB_URL: 'mysql://root:@127.0.0.1:3306' };
    expect(databaseAvailability('mariadb', env)).toMatchObject({
      available: true,
      server: { source: 'env', user: 'root', password: '', port: 3306 },
    });
  });

  it('says how to get a server when there is none', () => {
    expect(databaseAvailability('mysql84', {})).toEqual({
      available: false,
      reason: 'no server (set ROTOR_TEST_MYSQL84_URL or start Docker)',
    });
  });
});
