// How servers started in jest's globalSetup reach the test files: through environment variables, which
// jest workers inherit and which a test file can read synchronously while jest collects its tests.
import type { DatabaseServer, DatabaseSource } from '../database-server';
import { databaseTarget, type TargetName } from '../database-targets';
import { formatDatabaseUrl, parseDatabaseUrl } from '../database-url';
import { TestkitError } from '../errors';
import { noServerReason } from '../provision-database';

export type DatabaseAvailability =
  | { readonly available: true; readonly server: DatabaseServer }
  | { readonly available: false; readonly reason: string };

const SOURCES: readonly DatabaseSource[] = ['env', 'docker', 'embedded'];

export function resolvedUrlVariable(target: TargetName): string {
  return `ROTOR_RESOLVED_${target.toUpperCase()}_URL`;
}

export function skipVariable(target: TargetName): string {
  return `ROTOR_SKIP_${target.toUpperCase()}`;
}

/** Set when globalSetup already printed the target's skip line for this run. */
export function skipAnnouncedVariable(target: TargetName): string {
  return `ROTOR_SKIP_${target.toUpperCase()}_ANNOUNCED`;
}

function sourceVariable(target: TargetName): string {
  return `ROTOR_RESOLVED_${target.toUpperCase()}_SOURCE`;
}

function versionVariable(target: TargetName): string {
  return `ROTOR_RESOLVED_${target.toUpperCase()}_VERSION`;
}

function clientHostVariable(target: TargetName): string {
  return `ROTOR_RESOLVED_${target.toUpperCase()}_CLIENT_HOST`;
}

function logFileVariable(target: TargetName): string {
  return `ROTOR_RESOLVED_${target.toUpperCase()}_LOG_FILE`;
}

export function publishServer(server: DatabaseServer, env: NodeJS.ProcessEnv = process.env): void {
  unpublish(server.target, env);
  env[resolvedUrlVariable(server.target)] = server.url;
  env[sourceVariable(server.target)] = server.source;
  if (server.version !== undefined) env[versionVariable(server.target)] = server.version;
  if (server.logFile !== undefined) env[logFileVariable(server.target)] = server.logFile;
  if (server.clientHost !== undefined) env[clientHostVariable(server.target)] = server.clientHost;
}

export function publishSkip(target: TargetName, reason: string, env: NodeJS.ProcessEnv = process.env): void {
  unpublish(target, env);
  env[skipVariable(target)] = reason;
}

export function unpublish(target: TargetName, env: NodeJS.ProcessEnv = process.env): void {
  for (const name of [
    resolvedUrlVariable,
    sourceVariable,
    versionVariable,
    logFileVariable,
    clientHostVariable,
    skipVariable,
    skipAnnouncedVariable,
  ])
    delete env[name(target)];
}

/**
 * Whether a test file can use `target`, decided synchronously: what globalSetup published, else a
 * ROTOR_TEST_*_URL set directly (so a package without the global setup still runs against it).
 * The returned server's stop() does nothing: the process that started it stops it.
 */
export function databaseAvailability(
  target: TargetName,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseAvailability {
  const resolved = env[resolvedUrlVariable(target)];
  if (resolved !== undefined) {
    const recorded = env[sourceVariable(target)];
    const source = SOURCES.find((s) => s === recorded) ?? 'env';
    return {
      available: true,
      server: serverFromUrl(target, resolved, resolvedUrlVariable(target), source, env),
    };
  }
  const skipped = env[skipVariable(target)];
  if (skipped !== undefined) return { available: false, reason: skipped };
  const spec = databaseTarget(target);
  const direct = env[spec.envVar];
  if (direct !== undefined && direct.trim() !== '') {
    return { available: true, server: serverFromUrl(target, direct, spec.envVar, 'env', env) };
  }
  return { available: false, reason: noServerReason(target) };
}

/** The server for `target` inside a test; throws with the skip reason when there is none. */
export function databaseServer(target: TargetName): DatabaseServer {
  const availability = databaseAvailability(target);
  if (!availability.available) throw new TestkitError(`${target}: ${availability.reason}`);
  return availability.server;
}

function serverFromUrl(
  target: TargetName,
  url: string,
  variable: string,
  source: DatabaseSource,
  env: NodeJS.ProcessEnv,
): DatabaseServer {
  const address = parseDatabaseUrl(target, url, variable);
  const version = env[versionVariable(target)];
  const logFile = env[logFileVariable(target)];
  const clientHost = env[clientHostVariable(target)];
  return {
    target,
    source,
    ...address,
    ...(version === undefined ? {} : { version }),
    ...(logFile === undefined ? {} : { logFile }),
    ...(clientHost === undefined ? {} : { clientHost }),
    url: formatDatabaseUrl(target, address),
    stop: async () => {},
  };
}
