import { runEngineConformanceSuite } from '@rotor/testkit';
import { createTestAdapter } from '../../src/testing';

// A real SQL Server only: ROTOR_TEST_SQLSERVER_URL, else the pinned container, else one SKIP line.
runEngineConformanceSuite({ target: 'sqlserver', createAdapter: createTestAdapter });
