import { runEngineConformanceSuite } from '@rotor/testkit';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';

runEngineConformanceSuite({ target: 'postgres', createAdapter: createTestAdapter });

afterAll(dropAdapterDatabases);
