import type { DatabaseServer } from './database-server';
import { databaseTarget, type TargetName } from './database-targets';
import { formatDatabaseUrl, parseDatabaseUrl } from './database-url';
import { hasDockerImage, startDockerDatabase } from './docker-database';
import { type DockerStatus, detectDocker } from './docker-detection';
import { dockerPolicy } from './docker-policy';
import { startEmbeddedPostgres } from './embedded-postgres';
import { DatabaseStartError } from './errors';
import { probeServer } from './server-version';

/** One way of getting a server, in the order they are tried. */
export type ProvisioningStep =
  | { readonly source: 'env'; readonly variable: string; readonly value: string }
  | { readonly source: 'docker'; readonly image: string }
  | { readonly source: 'embedded' };

export type ProvisionResult =
  | { readonly status: 'started'; readonly server: DatabaseServer }
  | { readonly status: 'skipped'; readonly reason: string };

export interface ProvisionOptions {
  /** Where ROTOR_TEST_*_URL, CI and ROTOR_REQUIRE_DOCKER are read; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether Docker answers; detectDocker() by default. */
  readonly docker?: () => Promise<DockerStatus>;
  /** Starts the target's container once Docker answered; startDockerDatabase by default. */
  readonly startContainer?: (target: TargetName) => Promise<DatabaseServer>;
}

/**
 * The ways a target can be provided, best first: a URL in the environment wins outright (nothing else
 * is tried, so a bad URL fails loudly instead of quietly starting something else), then Docker, then
 * embedded-postgres for PostgreSQL.
 */
export function provisioningPlan(
  target: TargetName,
  env: NodeJS.ProcessEnv = process.env,
): ProvisioningStep[] {
  const spec = databaseTarget(target);
  const value = env[spec.envVar];
  if (value !== undefined && value.trim() !== '') return [{ source: 'env', variable: spec.envVar, value }];
  const steps: ProvisioningStep[] = [];
  if (spec.image !== undefined && hasDockerImage(target)) steps.push({ source: 'docker', image: spec.image });
  if (spec.embedded) steps.push({ source: 'embedded' });
  return steps;
}

/** The reason printed when a target has no server, e.g. `no server (set ROTOR_TEST_MYSQL84_URL or start Docker)`. */
export function noServerReason(target: TargetName, details: readonly string[] = []): string {
  const spec = databaseTarget(target);
  const remedy =
    spec.image === undefined
      ? `set ${spec.envVar}; no container exists`
      : `set ${spec.envVar} or start Docker`;
  return `no server (${[remedy, ...details].join('; ')})`;
}

/**
 * A server for `target` following provisioningPlan, or the reason there is none. Docker problems
 * follow dockerPolicy: no Docker skips (fails with ROTOR_REQUIRE_DOCKER=1); a container that does
 * not pull, start, turn healthy or accept its superuser skips, or fails under CI.
 */
export async function provisionDatabase(
  target: TargetName,
  options: ProvisionOptions = {},
): Promise<ProvisionResult> {
  const policy = dockerPolicy(options.env ?? process.env);
  const details: string[] = [];
  for (const step of provisioningPlan(target, options.env)) {
    if (step.source === 'env') {
      return { status: 'started', server: await serverFromEnv(target, step.variable, step.value) };
    }
    if (step.source === 'docker') {
      const docker = await (options.docker ?? detectDocker)();
      if (!docker.available) {
        if (policy.requireDocker) {
          throw new DatabaseStartError(
            `${target}: ROTOR_REQUIRE_DOCKER=1 but Docker cannot be used (${docker.reason ?? 'no Docker engine found'})`,
          );
        }
        if (docker.reason !== undefined) details.push(docker.reason);
        continue;
      }
      try {
        return {
          status: 'started',
          server: await startChecked(step.image, () =>
            (options.startContainer ?? startDockerDatabase)(target),
          ),
        };
      } catch (error) {
        if (policy.failOnContainerError) {
          throw new DatabaseStartError(
            `${target}: ${describeError(error)} (a Docker failure fails the run: ${policy.because})`,
            {
              cause: error,
            },
          );
        }
        details.push(`Docker: ${describeError(error)}`);
        continue;
      }
    }
    try {
      return { status: 'started', server: await startEmbeddedPostgres() };
    } catch (error) {
      details.push(describeError(error));
    }
  }
  return { status: 'skipped', reason: noServerReason(target, details) };
}

/** The server a ROTOR_TEST_*_URL names, after checking that its superuser can log in. */
async function serverFromEnv(target: TargetName, variable: string, value: string): Promise<DatabaseServer> {
  const address = parseDatabaseUrl(target, value, variable);
  const server: DatabaseServer = {
    target,
    source: 'env',
    ...address,
    url: formatDatabaseUrl(target, address),
    stop: async () => {},
  };
  try {
    return await withFacts(server);
  } catch (error) {
    throw new DatabaseStartError(
      `${variable}: cannot log in to ${address.host}:${address.port} as ${address.user} (${describeError(error)})`,
      { cause: error },
    );
  }
}

/** Starts a container and logs in to it once; one that refuses the login is stopped again. */
async function startChecked(image: string, start: () => Promise<DatabaseServer>): Promise<DatabaseServer> {
  const server = await start();
  try {
    return await withFacts(server);
  } catch (error) {
    await server.stop().catch(() => {});
    throw new DatabaseStartError(
      `container ${image} started but refused the superuser login (${describeError(error)})`,
      { cause: error },
    );
  }
}

async function withFacts(server: DatabaseServer): Promise<DatabaseServer> {
  return { ...server, ...(await probeServer(server)) };
}

// Driver errors as code and first message line only: their config objects may carry the password.
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const line = error.message.split('\n')[0] ?? '';
  return typeof code === 'string' && !line.includes(code) ? `${code}: ${line}` : line;
}
