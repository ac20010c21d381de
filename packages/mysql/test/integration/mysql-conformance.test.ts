import { runEngineConformanceSuite } from '@rotor/testkit';
import { createMysqlTestAdapter, dropAdapterDatabases } from './mysql-test-adapter';

for (const target of ['mariadb', 'mysql80', 'mysql84'] as const) {
  runEngineConformanceSuite({ target, createAdapter: (server) => createMysqlTestAdapter(target, server) });
}

afterAll(dropAdapterDatabases);
