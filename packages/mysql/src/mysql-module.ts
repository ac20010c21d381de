import type { EngineModule } from '@rotor/rotation-core';
import { mysqlEngine } from './mysql-engine';

/** What the tooling knows about this package: its zip, bundle, and test adapter. */
export const mysqlModule: EngineModule = {
  name: 'mysql',
  title: 'MySQL and MariaDB (RDS, Aurora)',
  packageName: '@rotor/mysql',
  engine: mysqlEngine,
  // mysql2 tries it inside try/catch, for coloured debug output.
  bundleOmits: { cardinal: 'syntax highlighting' },
  testing: { entryPoint: '@rotor/mysql/testing', targets: ['mariadb', 'mysql80', 'mysql84'] },
};
