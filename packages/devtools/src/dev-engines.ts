import {
  type CreateTestAdapter,
  type DatabaseServer,
  databaseTarget,
  provisionDatabase,
  startEmbeddedPostgres,
  type TargetName,
} from '@rotor/testkit';

/** What the demo and the bench need to know about an engine: its zip and where its test adapter lives. */
export interface DevEngine {
  /** The zip is `rotor-<name>.zip`. */
  readonly name: string;
  readonly packageName: string;
  /** The package's `testing` entry point (exporting createTestAdapter) and the test targets it runs against. */
  readonly testing: { readonly entryPoint: string; readonly targets: readonly TargetName[] };
}

/** The engines the demo and the bench run, in this order. */
export const DEV_ENGINES: readonly DevEngine[] = [
  {
    name: 'postgres',
    packageName: '@rotor/postgres',
    testing: { entryPoint: '@rotor/postgres/testing', targets: ['postgres'] },
  },
  {
    name: 'mysql',
    packageName: '@rotor/mysql',
    testing: { entryPoint: '@rotor/mysql/testing', targets: ['mariadb', 'mysql84', 'mysql80'] },
  },
];

/** The engine's createTestAdapter, loaded from its `testing` entry point. */
export function testAdapterFactory(engine: DevEngine): CreateTestAdapter {
  const loaded = require(engine.testing.entryPoint) as { createTestAdapter?: CreateTestAdapter };
  if (typeof loaded.createTestAdapter !== 'function')
    throw new Error(`${engine.testing.entryPoint} exports no createTestAdapter`);
  return loaded.createTestAdapter;
}

/** True when one of the engine's targets can run without any server installed (embedded PostgreSQL). */
export function hasEmbeddedServer(engine: DevEngine): boolean {
  return engine.testing.targets.some((t) => databaseTarget(t).embedded);
}

/**
 * A server for the engine: the first target whose ROTOR_TEST_*_URL is set, else an embedded one
 * where a target has it, else why there is none.
 */
export async function serverFor(
  engine: DevEngine,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ server: DatabaseServer } | { reason: string }> {
  const { targets } = engine.testing;
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
