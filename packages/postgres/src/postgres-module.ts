import type { EngineModule } from '@rotor/rotation-core';
import { postgresEngine } from './postgres-engine';

/** What the tooling knows about this package: its zip, bundle, and test adapter. */
export const postgresModule: EngineModule = {
  name: 'postgres',
  title: 'PostgreSQL (RDS, Aurora)',
  packageName: '@rotor/postgres',
  engine: postgresEngine,
  // pg requires it only when `pg.native` is read.
  bundleOmits: { 'pg-native': 'native libpq bindings' },
  testing: { entryPoint: '@rotor/postgres/testing', targets: ['postgres'] },
};
