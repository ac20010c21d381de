import type { DatabaseServer } from '../../src/database-server';
import { formatDatabaseUrl } from '../../src/database-url';
import { MongoProtocolDouble } from '../../src/mongo-double/mongo-protocol-double';
import { probeServer } from '../../src/server-version';
import { TdsProtocolDouble } from '../../src/tds-double/tds-protocol-double';

// probeServer logs in to SQL Server and MongoDB as it does to the others (the login check of a
// container or a ROTOR_TEST_*_URL), here against the testkit's protocol doubles: no SQL Server or
// MongoDB runs on this machine.

const SUPERUSER = { username: 'root', password: 'Probe-pw-1' };

function serverAt(
  target: 'sqlserver' | 'mongodb',
  host: string,
  port: number,
  password: string,
): DatabaseServer {
  const address = { host, port, user: SUPERUSER.username, password };
  return { target, source: 'env', ...address, url: formatDatabaseUrl(target, address), stop: async () => {} };
}

describe('probeServer', () => {
  it('logs in to SQL Server and reads its version; a wrong password fails', async () => {
    const double = await TdsProtocolDouble.start({ superuser: SUPERUSER });
    try {
      await expect(
        probeServer(serverAt('sqlserver', double.host, double.port, SUPERUSER.password)),
      ).resolves.toEqual({
        version: '16.0.4000.0',
      });
      await expect(
        probeServer(serverAt('sqlserver', double.host, double.port, 'Wrong-pw-1')),
      ).rejects.toThrow(/Login failed/);
    } finally {
      await double.stop();
    }
  }, 30_000);

  it('logs in to MongoDB and reads its version; a wrong password fails', async () => {
    const double = await MongoProtocolDouble.start({ rootUser: SUPERUSER });
    try {
      const facts = await probeServer(serverAt('mongodb', double.host, double.port, SUPERUSER.password));
      expect(facts.version).toMatch(/^\d+\.\d+/);
      await expect(probeServer(serverAt('mongodb', double.host, double.port, 'Wrong-pw-1'))).rejects.toThrow(
        /Authentication failed/,
      );
    } finally {
      await double.stop();
    }
  }, 30_000);
});
