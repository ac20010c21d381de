import { runEngineFaultMatrix } from '@rotor/testkit';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';

runEngineFaultMatrix({ target: 'postgres', createAdapter: createTestAdapter });

afterAll(dropAdapterDatabases);
