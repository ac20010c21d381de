import { randomBytes } from 'node:crypto';
import type { DatabaseServer } from './database-server';
import { databaseTarget, type TargetName } from './database-targets';
import { formatDatabaseUrl } from './database-url';
import { firstLine } from './docker-detection';
import { DatabaseStartError } from './errors';

type Testcontainers = typeof import('testcontainers');

/** A Docker health check, in testcontainers' units (milliseconds). */
export interface ContainerHealthCheck {
  readonly test: ['CMD-SHELL', string] | ['CMD', ...string[]];
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly startPeriod: number;
}

/** Everything about a target's container, decided without Docker (so it can be unit tested). */
export interface ContainerPlan {
  readonly image: string;
  /** Set where the image exists for one platform only (SQL Server: linux/amd64). */
  readonly platform?: string;
  /** Arguments after the image's entrypoint, e.g. server options. */
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly port: number;
  /** Readiness: a health check that passes once the final server listens on TCP, or a log line. */
  readonly ready:
    | { readonly kind: 'health'; readonly check: ContainerHealthCheck }
    | { readonly kind: 'log'; readonly line: RegExp; readonly times: number };
  /** From creation to ready. */
  readonly startupTimeoutMs: number;
  /** For pulling the image when it is not there yet. */
  readonly pullTimeoutMs: number;
  readonly user: string;
  readonly database?: string;
}

interface ContainerRecipe {
  readonly user: string;
  readonly database?: string;
  readonly platform?: string;
  readonly command?: readonly string[];
  readonly environment: (password: string) => Record<string, string>;
  readonly ready:
    | { readonly healthTest: ContainerHealthCheck['test'] }
    | { readonly line: RegExp; readonly times: number };
  readonly startupTimeoutMs: number;
}

/** Pulls of these images (SQL Server's is about 1.5 GB) end with an error after this long. */
export const PULL_TIMEOUT_MS = 600_000;

/**
 * Docker counts a failing check against `retries` only after the start period, and the wait ends at
 * the first "unhealthy": so the start period is the whole startup timeout (an image's init phase,
 * which runs a temporary server without networking, fails the check for a while), probed every second.
 */
export function containerHealthCheck(
  test: ContainerHealthCheck['test'],
  startupTimeoutMs: number,
): ContainerHealthCheck {
  return { test, interval: 1_000, timeout: 3_000, retries: 3, startPeriod: startupTimeoutMs };
}

// Readiness is declared per image: a health check that only passes once the final server listens on
// TCP (each image's init phase runs a temporary server without networking), or the log line the
// image prints when it is ready.
const RECIPES: Readonly<Partial<Record<TargetName, ContainerRecipe>>> = {
  postgres: {
    user: 'postgres',
    database: 'postgres',
    // The image's default for TCP logins is scram-sha-256, which is what the tests must face.
    environment: (password) => ({ POSTGRES_PASSWORD: password }),
    ready: { healthTest: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -U postgres'] },
    startupTimeoutMs: 60_000,
  },
  mariadb: {
    user: 'root',
    // MariaDB 11.4 makes itself a certificate and turns TLS on; the tests expect a server without
    // TLS, as the development machines' MariaDB 10.11 (the image's healthcheck.sh uses --skip-ssl).
    command: ['--skip-ssl'],
    environment: (password) => ({ MARIADB_ROOT_PASSWORD: password }),
    ready: { healthTest: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'] },
    startupTimeoutMs: 120_000,
  },
  mysql80: mysqlRecipe(),
  mysql84: mysqlRecipe(),
  sqlserver: {
    user: 'sa',
    // The image exists for x86_64 only (emulated on Apple silicon), as docker/compose.yml says too.
    platform: 'linux/amd64',
    environment: (password) => ({ ACCEPT_EULA: 'Y', MSSQL_SA_PASSWORD: password, MSSQL_PID: 'Developer' }),
    ready: { line: /Recovery is complete/, times: 1 },
    startupTimeoutMs: 180_000,
  },
  mongodb: {
    user: 'root',
    environment: (password) => ({ MONGO_INITDB_ROOT_USERNAME: 'root', MONGO_INITDB_ROOT_PASSWORD: password }),
    // With a root user the entrypoint first runs a temporary mongod, so the line appears twice.
    ready: { line: /Waiting for connections/, times: 2 },
    startupTimeoutMs: 120_000,
  },
};

function mysqlRecipe(): ContainerRecipe {
  return {
    user: 'root',
    environment: (password) => ({ MYSQL_ROOT_PASSWORD: password }),
    ready: { healthTest: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --silent'] },
    startupTimeoutMs: 180_000,
  };
}

export function hasDockerImage(target: TargetName): boolean {
  return databaseTarget(target).image !== undefined && RECIPES[target] !== undefined;
}

/** The container startDockerDatabase would run for `target`, with `password` for its superuser. */
export function containerPlan(target: TargetName, password: string): ContainerPlan {
  const spec = databaseTarget(target);
  const recipe = RECIPES[target];
  if (spec.image === undefined || recipe === undefined) {
    throw new DatabaseStartError(`${target} has no Docker image`);
  }
  const ready: ContainerPlan['ready'] =
    'healthTest' in recipe.ready
      ? { kind: 'health', check: containerHealthCheck(recipe.ready.healthTest, recipe.startupTimeoutMs) }
      : { kind: 'log', line: recipe.ready.line, times: recipe.ready.times };
  return {
    image: spec.image,
    ...(recipe.platform === undefined ? {} : { platform: recipe.platform }),
    command: recipe.command ?? [],
    environment: recipe.environment(password),
    port: spec.defaultPort,
    ready,
    startupTimeoutMs: recipe.startupTimeoutMs,
    pullTimeoutMs: PULL_TIMEOUT_MS,
    user: recipe.user,
    ...(recipe.database === undefined ? {} : { database: recipe.database }),
  };
}

/** Starts the target's pinned image through testcontainers; call only after detectDocker() said yes. */
export async function startDockerDatabase(target: TargetName): Promise<DatabaseServer> {
  // Mixed classes of characters so SQL Server's password policy accepts it; URL-safe otherwise.
  const password = `Rt9-${randomBytes(15).toString('base64url')}`;
  const plan = containerPlan(target, password);
  const tc = require('testcontainers') as Testcontainers;
  await pullImage(tc, plan);
  let container = new tc.GenericContainer(plan.image)
    .withEnvironment({ ...plan.environment })
    .withExposedPorts(plan.port)
    .withStartupTimeout(plan.startupTimeoutMs);
  if (plan.platform !== undefined) container = container.withPlatform(plan.platform);
  if (plan.command.length > 0) container = container.withCommand([...plan.command]);
  if (plan.ready.kind === 'health') {
    container = container.withHealthCheck(plan.ready.check).withWaitStrategy(tc.Wait.forHealthCheck());
  } else {
    container = container.withWaitStrategy(tc.Wait.forLogMessage(plan.ready.line, plan.ready.times));
  }

  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    throw new DatabaseStartError(`container ${plan.image} did not start: ${firstLine(error)}`, {
      cause: error,
    });
  }
  const address = {
    host: started.getHost(),
    port: started.getMappedPort(plan.port),
    user: plan.user,
    password,
    ...(plan.database === undefined ? {} : { database: plan.database }),
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

/**
 * Pulls the image unless it is there, within plan.pullTimeoutMs (testcontainers' own pull has no
 * limit). On timeout the daemon may go on pulling; the next run finds the image.
 */
async function pullImage(tc: Testcontainers, plan: ContainerPlan): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`pull did not finish within ${plan.pullTimeoutMs / 1000} s`)),
      plan.pullTimeoutMs,
    );
    timer.unref();
  });
  try {
    const client = await tc.getContainerRuntimeClient();
    const pull = client.image.pull(tc.ImageName.fromString(plan.image), {
      force: false,
      platform: plan.platform,
    });
    // A pull that fails after the timeout has nobody left to tell.
    pull.catch(() => {});
    await Promise.race([pull, timeout]);
  } catch (error) {
    throw new DatabaseStartError(`image ${plan.image} did not pull: ${firstLine(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
