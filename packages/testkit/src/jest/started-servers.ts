import type { DatabaseServer } from '../database-server';

// jest may load globalSetup and globalTeardown as separate module instances; globalThis is what the two
// share (jest documents it for exactly this), so the servers to stop are kept there.
const KEY = Symbol.for('@rotor/testkit.startedServers');

type WithServers = typeof globalThis & { [KEY]?: DatabaseServer[] };

export function startedServers(): DatabaseServer[] {
  const holder = globalThis as WithServers;
  holder[KEY] ??= [];
  return holder[KEY];
}
