import type { EngineModule } from '@rotor/rotation-core';
import { sqlServerEngine } from './sqlserver-engine';

/** What the tooling knows about this package: its zip, bundle, and test adapter. */
export const sqlserverModule: EngineModule = {
  name: 'sqlserver',
  title: 'SQL Server (RDS)',
  packageName: '@rotor/sqlserver',
  engine: sqlServerEngine,
  bundleOmits: {},
  testing: { entryPoint: '@rotor/sqlserver/testing', targets: ['sqlserver'] },
};
