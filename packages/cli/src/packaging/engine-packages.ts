import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { STRATEGY_NAMES, type StrategyName } from '@rotor/rotation-core';
import { PackagingError } from '../errors';

/** Every zip has one entry point per strategy, named after it: `single-user.handler`, ... */
export const STRATEGIES: readonly StrategyName[] = STRATEGY_NAMES;

/** The directory of an engine package, found the way Node resolves its name from here. */
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
