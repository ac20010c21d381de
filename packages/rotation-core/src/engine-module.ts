import type { DatabaseEngine } from './engine';

/**
 * An environment variable an engine reads beyond core's own (PASSWORD_LENGTH, EXCLUDE_*, ROTOR_*):
 * core validates it at cold start, and the deploy templates and the CDK construct expose it.
 */
export interface EngineSetting {
  readonly variable: string;
  /** Its CloudFormation parameter name, e.g. `UsernameCharacterLimit`. */
  readonly parameter: string;
  readonly description: string;
  /** A whole number from `min` to `max`; `default` when the variable is unset. */
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Everything the tooling knows about one engine package, exported by the package as its descriptor
 * (`<engine>-module.ts`). The CLI's `ENGINES` list holds one per engine and is the only registry:
 * zips, deploy templates, bundling, `rotor rotate` / `doctor` / `recover`, the bench, the demo and
 * test fixtures all read from it. The handlers never import it.
 */
export interface EngineModule {
  /** The zip is `rotor-<name>.zip`, the deploy template `rotor-<name>.template.json`. */
  readonly name: string;
  /** For people: `PostgreSQL (RDS, Aurora)`. */
  readonly title: string;
  /** npm package holding `src/handlers/<strategy>.ts` (or, installed, `dist/handlers/<strategy>.js`). */
  readonly packageName: string;
  // biome-ignore lint/suspicious/noExplicitAny: each engine has its own connection type.
  readonly engine: DatabaseEngine<any>;
  /**
   * Modules the driver requires only when they are installed and Rotor does not need: left out of
   * the bundle (a require of one throws MODULE_NOT_FOUND, as when it is absent). Module → what it is.
   */
  readonly bundleOmits: Readonly<Record<string, string>>;
  /**
   * Where the engine's test adapter lives: a module (the package's `testing` entry point, which the
   * handlers never import) exporting `createTestAdapter(server)`, and the testkit targets it runs against.
   */
  readonly testing: { readonly entryPoint: string; readonly targets: readonly string[] };
}

/**
 * The value of an engine setting in `env`: its default when unset or blank, else a whole number
 * within its limits; a sentence naming the variable when it is not.
 */
export function readEngineSetting(
  setting: EngineSetting,
  env: Readonly<Record<string, string | undefined>>,
): { readonly value: number } | { readonly problem: string } {
  const raw = env[setting.variable];
  if (raw === undefined || raw.trim() === '') return { value: setting.default };
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < setting.min || n > setting.max) {
    return {
      problem: `${setting.variable} must be a whole number from ${setting.min} to ${setting.max}, not ${JSON.stringify(raw)}`,
    };
  }
  return { value: n };
}
