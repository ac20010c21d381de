import { mysqlEngine } from '@rotor/mysql';
import { postgresEngine } from '@rotor/postgres';
import type { DatabaseEngine } from '@rotor/rotation-core';

/** One engine package: the engine it exports answers to the `engine` values it lists itself. */
export interface EngineRegistration {
  readonly packageName: string;
  readonly engine: DatabaseEngine;
}

/**
 * The engine packages `rotor rotate` and `rotor doctor` can drive, one row per package; a new
 * engine (sqlserver, redshift, documentdb) is one more row. The accepted `engine` values come from
 * each engine's own `engineNames`, so the command and the handlers never disagree about them.
 */
export const ENGINE_REGISTRY: readonly EngineRegistration[] = [
  { packageName: '@rotor/postgres', engine: postgresEngine as DatabaseEngine },
  { packageName: '@rotor/mysql', engine: mysqlEngine as DatabaseEngine },
];

/** Every `engine` value of a secret that some registered engine accepts, in registry order. */
export function engineValues(registry: readonly EngineRegistration[] = ENGINE_REGISTRY): string[] {
  return registry.flatMap((row) => row.engine.engineNames);
}

/** The engine for a secret's `engine` value (exact, as the handlers compare it), or undefined. */
export function engineFor(
  value: string,
  registry: readonly EngineRegistration[] = ENGINE_REGISTRY,
): DatabaseEngine | undefined {
  return registry.find((row) => row.engine.engineNames.includes(value))?.engine;
}
