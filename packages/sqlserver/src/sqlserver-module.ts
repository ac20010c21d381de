import type { EngineModule } from '@rotor/rotation-core';
import { sqlServerEngine } from './sqlserver-engine';

/** What the tooling knows about this package: its zip, bundle, and test adapter. */
export const sqlserverModule: EngineModule = {
  name: 'sqlserver',
  title: 'SQL Server (RDS)',
  packageName: '@rotor/sqlserver',
  engine: sqlServerEngine,
  // debug (under mssql and tedious) loads supports-color only if it happens to be installed: left
  // out, so the zip does not depend on what else the build machine's node_modules holds.
  bundleOmits: { 'supports-color': 'colored debug output' },
  testing: { entryPoint: '@rotor/sqlserver/testing', targets: ['sqlserver'] },
};
