import { ENGINES } from '@rotor/cli';
import type { EngineModule } from '@rotor/rotation-core';
import {
  type CreateTestAdapter,
  type DatabaseServer,
  databaseTarget,
  isTargetName,
  provisionDatabase,
  startEmbeddedPostgres,
  type TargetName,
} from '@rotor/testkit';

/** The engines the demo and the bench run: every engine Rotor ships, in the CLI's order. */
export const DEV_ENGINES: readonly EngineModule[] = ENGINES;

/** The engine's createTestAdapter, loaded from its `testing` entry point. */
export function testAdapterFactory(engine: EngineModule): CreateTestAdapter {
  const loaded = require(engine.testing.entryPoint) as { createTestAdapter?: CreateTestAdapter };
  if (typeof loaded.createTestAdapter !== 'function')
    throw new Error(`${engine.testing.entryPoint} exports no createTestAdapter`);
  return loaded.createTestAdapter;
}

/** True when one of the engine's targets can run without any server installed (embedded PostgreSQL). */
export function hasEmbeddedServer(engine: EngineModule): boolean {
  return targetsOf(engine).some((t) => databaseTarget(t).embedded);
}

/**
 * A server for the engine: the first target whose ROTOR_TEST_*_URL is set, else an embedded one
 * where a target has it, else why there is none.
 */
export async function serverFor(
  engine: EngineModule,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ server: DatabaseServer } | { reason: string }> {
  const targets = targetsOf(engine);
  const named = targets.find((t) => (env[databaseTarget(t).envVar] ?? '').trim() !== '');
  if (named !== undefined) {
    const result = await provisionDatabase(named, { env });
    return result.status === 'started' ? { server: result.server } : { reason: result.reason };
  }
  if (hasEmbeddedServer(engine)) return { server: await startEmbeddedPostgres() };
  const variables = targets.map((t) => databaseTarget(t).envVar).join(', ');
  return { reason: `no server: set ${variables} to a superuser URL` };
}

/** For people: e.g. `PostgreSQL 17.6 (embedded) on 127.0.0.1:40123`. */
export function describeServer(product: string | undefined, server: DatabaseServer): string {
  const version = server.version === undefined ? '' : ` ${server.version}`;
  return `${product ?? server.target}${version} (${server.source}) on ${server.host}:${server.port}`;
}

/** The engine's test targets that the testkit knows. */
function targetsOf(engine: EngineModule): TargetName[] {
  return engine.testing.targets.filter(isTargetName);
}
