import { runEngineConformanceSuite } from '@rotor/testkit';
import { sqlServerEngine } from '../../src/sqlserver-engine';
import { createTestAdapter } from '../../src/testing';

// A real SQL Server only: ROTOR_TEST_SQLSERVER_URL, else the pinned container, else one SKIP line.
// The managed-superuser cases follow the engine's declared resolutions (RDS instances: no clusters).
runEngineConformanceSuite({
  target: 'sqlserver',
  createAdapter: createTestAdapter,
  managedSuperuser: {
    resolutions: sqlServerEngine.managedSecretResolutions ?? [],
    against: 'against a real SQL Server',
  },
});
