import { runEngineConformanceSuite } from '@rotor/testkit';
import { sqlServerEngine } from '../../src/sqlserver-engine';
import { createTestAdapter } from '../../src/testing';

// A real SQL Server only: ROTOR_TEST_SQLSERVER_URL, else the pinned container, else one SKIP line.
// The managed-superuser cases run once the engine declares RDS resolutions.
runEngineConformanceSuite({
  target: 'sqlserver',
  createAdapter: createTestAdapter,
  managedSuperuser: ((sqlServerEngine.managedSecretResolutions ?? []) as readonly string[]).some((r) =>
    r.startsWith('rds-'),
  ),
});
