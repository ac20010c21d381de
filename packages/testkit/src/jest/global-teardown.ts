import { unpublish } from './published-servers';
import { startedServers } from './started-servers';

/** The function for jest's `globalTeardown`: stops every server createGlobalSetup started. */
export function createGlobalTeardown(): () => Promise<void> {
  return async () => {
    const servers = startedServers().splice(0);
    await Promise.allSettled(servers.map((server) => server.stop()));
    for (const server of servers) unpublish(server.target);
  };
}
