import { runEngineConformanceSuite } from '@rotor/testkit';
import { createTestAdapter } from '../../src/testing';

// A real provisioned cluster or Serverless workgroup, named by ROTOR_TEST_REDSHIFT_URL (a superuser
// URL); without one this prints one SKIP line. Redshift accepts TLS only, verified with Node's roots.
runEngineConformanceSuite({ target: 'redshift', createAdapter: createTestAdapter });
