import type { DatabaseServer } from '../database-server';
import type { TargetName } from '../database-targets';
import { databaseAvailability, skipAnnouncedVariable } from './published-servers';

/**
 * `describe` when `target` has a server, else one printed line (`SKIP mysql84: no server (...)`) and
 * `describe.skip`, so the tests still show up in jest's skipped count instead of vanishing. `server()`
 * is for use inside tests and hooks, not while the block is being collected.
 */
export function describeWithDatabase(
  target: TargetName,
  title: string,
  fn: (server: () => DatabaseServer) => void,
): void {
  const availability = databaseAvailability(target);
  if (availability.available) {
    const { server } = availability;
    describe(title, () => fn(() => server));
    return;
  }
  // Printed once per run: by globalSetup when it ran, else here. process.stdout rather than
  // console.log, which jest decorates with a stack location.
  if (process.env[skipAnnouncedVariable(target)] !== '1')
    process.stdout.write(`SKIP ${target}: ${availability.reason}\n`);
  describe.skip(title, () =>
    fn(() => {
      throw new Error(`${target} has no server: ${availability.reason}`);
    }),
  );
}
