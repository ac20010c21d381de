import { documentdbModule } from '@rotor/documentdb';
import { mysqlModule } from '@rotor/mysql';
import { postgresModule } from '@rotor/postgres';
import { redshiftModule } from '@rotor/redshift';
import type { EngineModule } from '@rotor/rotation-core';
import { sqlserverModule } from '@rotor/sqlserver';

/**
 * Every engine Rotor ships, one descriptor per engine package: the only list of engines. `rotor
 * rotate`, `doctor`, `recover` and `package`, the deploy templates and the zips read it; a new
 * engine is its package plus one line here.
 */
export const ENGINES: readonly EngineModule[] = [
  postgresModule,
  mysqlModule,
  sqlserverModule,
  redshiftModule,
  documentdbModule,
];
