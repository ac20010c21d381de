import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StrategyName } from '@rotor/rotation-core';
import { PackagingError } from '../errors';
import type { ControlPlaneSdk } from './bundle-handlers';

/** An engine whose rotation functions ship as one zip, `rotor-<engine>.zip`. */
export interface EnginePackage {
  readonly engine: string;
  /** The npm package holding `src/handlers/<strategy>.ts` (or, once published, `dist/handlers/<strategy>.js`). */
  readonly packageName: string;
  /**
   * Control-plane SDK clients the zip carries: those of the engine's managed superuser secret
   * resolutions (its `managedSecretResolutions`), rds for RDS instances, Aurora and DocumentDB.
   */
  readonly controlPlaneSdks: readonly ControlPlaneSdk[];
}

/** The engines `rotor package` builds; sqlserver, redshift and documentdb join with one row each. */
export const ENGINE_PACKAGES: readonly EnginePackage[] = [
  { engine: 'postgres', packageName: '@rotor/postgres', controlPlaneSdks: ['rds'] },
  { engine: 'mysql', packageName: '@rotor/mysql', controlPlaneSdks: ['rds'] },
];

/** Every zip has one entry point per strategy, named after it: `single-user.handler`, ... */
export const STRATEGIES: readonly StrategyName[] = ['single-user', 'alternating-users'];

export function enginePackage(engine: string): EnginePackage {
  const found = ENGINE_PACKAGES.find((p) => p.engine === engine);
  if (found === undefined) {
    throw new PackagingError(
      `unknown engine ${engine}; known: ${ENGINE_PACKAGES.map((p) => p.engine).join(', ')}`,
    );
  }
  return found;
}

export function packageDirectory(packageName: string, from: string = __dirname): string {
  try {
    return dirname(require.resolve(`${packageName}/package.json`, { paths: [from] }));
  } catch (error) {
    throw new PackagingError(`cannot find the package ${packageName}`, { cause: error });
  }
}

/**
 * The handler source for a strategy inside an engine package directory: the TypeScript source
 * in a checkout (so the zip follows the commit, not whatever `dist/` was last built), else the
 * compiled file of an installed package.
 */
export function handlerEntryPoint(packageDir: string, strategy: StrategyName): string {
  const candidates = [
    join(packageDir, 'src', 'handlers', `${strategy}.ts`),
    join(packageDir, 'dist', 'handlers', `${strategy}.js`),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new PackagingError(
      `${packageDir} has no ${strategy} handler (looked for src/handlers/${strategy}.ts and dist/handlers/${strategy}.js)`,
    );
  }
  return found;
}
