import { runEngineConformanceSuite } from '@rotor/testkit';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';

for (const target of ['mariadb', 'mysql80', 'mysql84'] as const) {
  runEngineConformanceSuite({ target, createAdapter: createTestAdapter });
}

afterAll(dropAdapterDatabases);
