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

/** Neither --engine nor the secret's `engine` key names an engine Rotor rotates. */
export class UnknownEngineError extends UsageError {
  override name = 'UnknownEngineError';
}

/**
 * The engine a command works with: `--engine` when given (it overrides), else the secret's own
 * `engine` key, as the rotation function reads it. `command` prefixes the message.
 */
export function resolveEngine(
  command: string,
  flag: string | undefined,
  fromSecret: string | undefined,
  engines: readonly EngineModule[] = ENGINES,
): { readonly value: string; readonly engine: DatabaseEngine } {
  const known = engineValues(engines).join(', ');
  const value = flag ?? fromSecret;
  if (value === undefined) {
    throw new UnknownEngineError(`${command}: the secret has no "engine" key; pass --engine (${known})`);
  }
  const engine = engineFor(value, engines);
  if (engine === undefined) {
    const source = flag === undefined ? `the secret's "engine" value` : '--engine';
    throw new UnknownEngineError(
      `${command}: ${source} ${JSON.stringify(value)} is not an engine Rotor rotates; ${flag === undefined ? 'pass --engine with one of' : 'known'}: ${known}`,
    );
  }
  return { value, engine };
}

/** The `engine` key of a secret string, when it is a JSON object with a string there. */
export function engineKey(text: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(text ?? '') as { engine?: unknown };
    return typeof parsed?.engine === 'string' ? parsed.engine : undefined;
  } catch {
    return undefined;
  }
}
