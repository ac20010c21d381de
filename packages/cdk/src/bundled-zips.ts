import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where `pnpm build` puts the engines' zips inside this package. */
const ASSETS = join(__dirname, '..', 'assets');

/** Engines whose zip is built into this package, from the files present. */
export function bundledEngines(): string[] {
  if (!existsSync(ASSETS)) return [];
  return readdirSync(ASSETS)
    .map((file) => /^rotor-([a-z0-9]+)\.zip$/.exec(file)?.[1])
    .filter((engine): engine is string => engine !== undefined)
    .sort();
}

/** Path of the built-in zip for an engine; a clear error when the package holds none for it. */
export function bundledZip(engine: string): string {
  const file = join(ASSETS, `rotor-${engine}.zip`);
  if (!existsSync(file)) {
    const known = bundledEngines();
    throw new Error(
      known.length === 0
        ? `RotorRotation: this @rotor/cdk has no built-in zips (run its build), so pass code: lambda.Code.fromAsset('rotor-${engine}.zip')`
        : `RotorRotation: unknown engine ${JSON.stringify(engine)}; built in: ${known.join(', ')} (or pass code for another zip)`,
    );
  }
  return file;
}
