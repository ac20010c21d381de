import { randomBytes } from 'node:crypto';
import type { GenericContainer, WaitStrategy } from 'testcontainers';
import type { DatabaseServer } from './database-server';
import { databaseTarget, type TargetName } from './database-targets';
import { formatDatabaseUrl } from './database-url';
import { DatabaseStartError } from './errors';

type Testcontainers = typeof import('testcontainers');
type HealthCheck = Parameters<GenericContainer['withHealthCheck']>[0];

interface ContainerRecipe {
  readonly user: string;
  readonly database?: string;
  readonly environment: (password: string) => Record<string, string>;
  readonly wait: (tc: Testcontainers) => { healthCheck?: HealthCheck; strategy: WaitStrategy };
  readonly startupTimeoutMs: number;
}

// Readiness is declared per image: a health check that only passes once the final server listens on
// TCP (each image's init phase runs a temporary server without networking), or the log line the
// image prints when it is ready.
const FAST_CHECK = { interval: 500, timeout: 3_000, retries: 240, startPeriod: 0 };

const RECIPES: Readonly<Partial<Record<TargetName, ContainerRecipe>>> = {
  postgres: {
    user: 'postgres',
    database: 'postgres',
    // The image's default for TCP logins is scram-sha-256, which is what the tests must face.
    environment: (password) => ({ POSTGRES_PASSWORD: password }),
    wait: (tc) => ({
      healthCheck: { test: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -U postgres'], ...FAST_CHECK },
      strategy: tc.Wait.forHealthCheck(),
    }),
    startupTimeoutMs: 60_000,
  },
  mariadb: {
    user: 'root',
    environment: (password) => ({ MARIADB_ROOT_PASSWORD: password }),
    wait: (tc) => ({
      healthCheck: { test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'], ...FAST_CHECK },
      strategy: tc.Wait.forHealthCheck(),
    }),
    startupTimeoutMs: 120_000,
  },
  mysql80: mysqlRecipe(),
  mysql84: mysqlRecipe(),
  sqlserver: {
    user: 'sa',
    environment: (password) => ({ ACCEPT_EULA: 'Y', MSSQL_SA_PASSWORD: password, MSSQL_PID: 'Developer' }),
    wait: (tc) => ({ strategy: tc.Wait.forLogMessage(/Recovery is complete/) }),
    startupTimeoutMs: 180_000,
  },
  mongodb: {
    user: 'root',
    environment: (password) => ({ MONGO_INITDB_ROOT_USERNAME: 'root', MONGO_INITDB_ROOT_PASSWORD: password }),
    // With a root user the entrypoint first runs a temporary mongod, so the line appears twice.
    wait: (tc) => ({ strategy: tc.Wait.forLogMessage(/Waiting for connections/, 2) }),
    startupTimeoutMs: 120_000,
  },
};

function mysqlRecipe(): ContainerRecipe {
  return {
    user: 'root',
    environment: (password) => ({ MYSQL_ROOT_PASSWORD: password }),
    wait: (tc) => ({
      healthCheck: { test: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --silent'], ...FAST_CHECK },
      strategy: tc.Wait.forHealthCheck(),
    }),
    startupTimeoutMs: 180_000,
  };
}

export function hasDockerImage(target: TargetName): boolean {
  return databaseTarget(target).image !== undefined && RECIPES[target] !== undefined;
}

/** Starts the target's pinned image through testcontainers; call only after detectDocker() said yes. */
export async function startDockerDatabase(target: TargetName): Promise<DatabaseServer> {
  const spec = databaseTarget(target);
  const recipe = RECIPES[target];
  if (spec.image === undefined || recipe === undefined) {
    throw new DatabaseStartError(`${target} has no Docker image`);
  }
  const tc = require('testcontainers') as Testcontainers;
  // Mixed classes of characters so SQL Server's password policy accepts it; URL-safe otherwise.
  const password = `Rt9-${randomBytes(15).toString('base64url')}`;
  const { healthCheck, strategy } = recipe.wait(tc);
  let container = new tc.GenericContainer(spec.image)
    .withEnvironment(recipe.environment(password))
    .withExposedPorts(spec.defaultPort)
    .withWaitStrategy(strategy)
    .withStartupTimeout(recipe.startupTimeoutMs);
  if (healthCheck !== undefined) container = container.withHealthCheck(healthCheck);

  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    throw new DatabaseStartError(`${target}: container ${spec.image} did not start`, { cause: error });
  }
  const address = {
    host: started.getHost(),
    port: started.getMappedPort(spec.defaultPort),
    user: recipe.user,
    password,
    ...(recipe.database === undefined ? {} : { database: recipe.database }),
  };
  return {
    target,
    source: 'docker',
    ...address,
    url: formatDatabaseUrl(target, address),
    stop: async () => {
      await started.stop();
    },
  };
}
