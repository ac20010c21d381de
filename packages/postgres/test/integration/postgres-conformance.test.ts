import { runEngineConformanceSuite } from '@rotor/testkit';
import { createPostgresTestAdapter, dropAdapterDatabases } from './postgres-test-adapter';

runEngineConformanceSuite({ target: 'postgres', createAdapter: createPostgresTestAdapter });

afterAll(dropAdapterDatabases);
