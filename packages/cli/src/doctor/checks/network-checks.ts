import type { DatabaseEngine, DatabaseSecret } from '@rotor/rotation-core';
import { type DoctorCheck, failed, passed, skipped } from '../doctor-check';
import { probePort, resolveHost } from '../network-probe';

/** The dns and port checks: whether the function could reach the secret's host and port at all. */
export async function networkChecks(
  engine: DatabaseEngine,
  secret: DatabaseSecret,
  timeoutMs: number,
): Promise<{ dns: DoctorCheck; port: DoctorCheck; reachable: boolean }> {
  const resolved = await resolveHost(secret.host, timeoutMs);
  const dns = resolved.ok
    ? passed('dns', resolved.detail)
    : failed(
        'dns',
        resolved.detail,
        'check "host" in the secret; the rotation function resolves it from inside its VPC, so a private endpoint must resolve there (and a public one needs a NAT gateway or VPC DNS)',
      );
  if (!resolved.ok) return { dns, port: skipped('port', 'needs the host to resolve'), reachable: false };
  const probe = await probePort(secret.host, secret.port, timeoutMs);
  if (probe.ok) return { dns, port: passed('port', probe.detail), reachable: true };
  const port = failed(
    'port',
    probe.detail,
    probe.code === 'ECONNREFUSED'
      ? `check "port" in the secret (default ${engine.defaultPort}) and that the database is running`
      : `the database's security group must allow inbound TCP ${secret.port} from the rotation function's security group, and the function's subnets need a route to it`,
  );
  return { dns, port, reachable: false };
}
