import { runEngineFaultMatrix } from '@rotor/testkit';
import { createMysqlTestAdapter, dropAdapterDatabases } from './mysql-test-adapter';

// MariaDB is the MySQL-family server here; the others run where a server is given.
for (const target of ['mariadb', 'mysql80', 'mysql84'] as const) {
  runEngineFaultMatrix({ target, createAdapter: (server) => createMysqlTestAdapter(target, server) });
}

afterAll(dropAdapterDatabases);
