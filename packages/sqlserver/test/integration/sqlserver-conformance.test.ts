import { runEngineConformanceSuite } from '@rotor/testkit';
import { createSqlServerTestAdapter } from '../../src/testing';

// A real SQL Server only: ROTOR_TEST_SQLSERVER_URL, else the pinned container, else one SKIP line.
runEngineConformanceSuite({ target: 'sqlserver', createAdapter: createSqlServerTestAdapter });
