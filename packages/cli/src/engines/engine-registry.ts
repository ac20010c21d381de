import { acceptsEngineName, type DatabaseEngine, type EngineModule } from '@rotor/rotation-core';
import { UsageError } from '../errors';
import { ENGINES } from './engines';

/** Every `engine` value of a secret that some engine accepts, in list order (prefixes as `name…`). */
export function engineValues(engines: readonly EngineModule[] = ENGINES): string[] {
  return engines.flatMap((m) => [
    ...m.engine.engineNames,
    ...(m.engine.engineNamePrefixes ?? []).map((p) => `${p}…`),
  ]);
}

/** The engine for a secret's `engine` value, as the handlers match it, or undefined. */
export function engineFor(
  value: string,
  engines: readonly EngineModule[] = ENGINES,
): DatabaseEngine | undefined {
  return engines.find((m) => acceptsEngineName(m.engine, value))?.engine;
}

/** The engine module whose zip is `rotor-<name>.zip`; a usage error naming the known ones otherwise. */
export function engineModuleNamed(name: string, engines: readonly EngineModule[] = ENGINES): EngineModule {
  const found = engines.find((m) => m.name === name);
  if (found === undefined) {
    throw new UsageError(`unknown engine ${name}; known: ${engines.map((m) => m.name).join(', ')}`);
  }
  return found;
}
