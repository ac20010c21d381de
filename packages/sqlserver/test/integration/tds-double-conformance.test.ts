import { type DatabaseServer, defineEngineConformanceTests, TdsProtocolDouble } from '@rotor/testkit';
import { sqlServerEngine } from '../../src/sqlserver-engine';
import { createTestAdapter } from '../../src/testing';

// The shared suite through the Secrets Manager emulator against the testkit's TDS PROTOCOL DOUBLE,
// not a real SQL Server (none can run here): the real mssql/tedious driver over TCP, the real
// handlers, and the same test adapter the real-server suite uses. Plaintext, as the adapter's
// secrets say "ssl": false; TLS inside TDS is covered by tds-double-rotation.test.ts.
describe('TDS protocol double, not a real SQL Server: sqlserver engine conformance', () => {
  let double: TdsProtocolDouble | undefined;

  defineEngineConformanceTests(
    async () => {
      double = await TdsProtocolDouble.start({
        superuser: { username: 'rotor_sa', password: `Sa-${Date.now()}-Pw!` },
      });
      const server: DatabaseServer = {
        target: 'sqlserver',
        source: 'env',
        host: '127.0.0.1',
        port: double.port,
        user: double.options.superuser.username,
        password: double.options.superuser.password,
        url: '',
        stop: async () => {},
      };
      return createTestAdapter(server);
    },
    {
      managedSuperuser: {
        resolutions: sqlServerEngine.managedSecretResolutions ?? [],
        against: 'against the TDS protocol double',
      },
    },
  );

  afterAll(async () => {
    await double?.stop();
  });
});
