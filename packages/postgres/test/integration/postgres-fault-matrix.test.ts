import { runEngineFaultMatrix } from '@rotor/testkit';
import { createPostgresTestAdapter, dropAdapterDatabases } from './postgres-test-adapter';

runEngineFaultMatrix({ target: 'postgres', createAdapter: createPostgresTestAdapter });

afterAll(dropAdapterDatabases);
