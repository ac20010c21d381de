// Accounts at `localhost` or `127.0.0.1` only let in sessions the server sees coming from loopback.
// Through a published container port the server sees the bridge gateway (e.g. 172.17.0.1), so tests
// that log in as such accounts run only where the superuser's own session came from loopback.
import type { TargetName } from '../database-targets';
import { databaseAvailability } from './published-servers';

type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Why a test that logs in as a loopback-only account cannot run against a server that sees its
 * clients at `clientHost`; undefined when it can (loopback) or when nobody asked the server (unknown:
 * the test runs and says for itself).
 */
export function loopbackSkipReason(clientHost: string | undefined): string | undefined {
  if (clientHost === undefined || isLoopbackHost(clientHost)) return undefined;
  return `the server sees this client at ${clientHost}, not loopback (a published container port?), so accounts at localhost/127.0.0.1 cannot log in`;
}

/**
 * `it` for tests that log in as accounts at localhost/127.0.0.1: runs them when the server sees the
 * superuser's session (as published by globalSetup) come from loopback, else prints one line per
 * test (`SKIP mariadb: <test>: <why>`) and registers it with `it.skip`.
 */
export function itFromLoopback(target: TargetName): TestFn {
  const availability = databaseAvailability(target);
  const reason = availability.available ? loopbackSkipReason(availability.server.clientHost) : undefined;
  if (reason === undefined) return it;
  return (name, fn, timeout) => {
    process.stdout.write(`SKIP ${target}: ${name}: ${reason}\n`);
    it.skip(name, fn, timeout);
  };
}
