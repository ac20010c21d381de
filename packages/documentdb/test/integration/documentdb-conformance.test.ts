import { runEngineConformanceSuite } from '@rotor/testkit';
import { createTestAdapter, type DocumentDbTestAdapter } from '../../src/testing';
import { documentDbManagedSuperuser } from './managed-superuser-options';

// The shared suite against a REAL MongoDB: ROTOR_TEST_MONGODB_URL, else the pinned `mongo` image
// through Docker (started with a root user, so authentication is on), else one SKIP line.
let adapter: DocumentDbTestAdapter | undefined;

runEngineConformanceSuite({
  target: 'mongodb',
  createAdapter: async (server) => {
    adapter = await createTestAdapter(server);
    return adapter;
  },
  managedSuperuser: documentDbManagedSuperuser('against a real MongoDB'),
});

afterAll(async () => {
  await adapter?.cleanup();
});
