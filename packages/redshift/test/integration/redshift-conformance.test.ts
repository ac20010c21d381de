import { runEngineConformanceSuite } from '@rotor/testkit';
import { createTestAdapter } from '../../src/testing';

// A real provisioned cluster or Serverless workgroup, named by ROTOR_TEST_REDSHIFT_URL (a superuser
// URL); without one this prints one SKIP line. Redshift accepts TLS only, verified with Node's roots.
// The managed-superuser cases model RDS; Redshift's own resolutions are tested in rotation-core.
runEngineConformanceSuite({ target: 'redshift', createAdapter: createTestAdapter, managedSuperuser: false });
