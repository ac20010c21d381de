import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PackagingError } from '../errors';
import { bundleHandlers, type ControlPlaneSdk, controlPlaneSdkEntryPoint } from './bundle-handlers';
import { ENGINE_PACKAGES, handlerEntryPoint, STRATEGIES } from './engine-packages';
import { rdsCaBundlePem } from './rds-ca-bundle';
import { writeZip, type ZipInputEntry } from './zip-writer';

export const RDS_CA_BUNDLE_ENTRY = 'certs/rds-ca-bundle.pem';

export interface BuildEngineZipOptions {
  readonly engine: string;
  /** Directory of the engine package (holding src/handlers/ or dist/handlers/). */
  readonly packageDir: string;
  readonly repoRoot: string;
  /** Where `rotor-<engine>.zip` goes. */
  readonly outDir: string;
  readonly sourcemap?: boolean;
}

export interface BuiltZip {
  readonly engine: string;
  readonly file: string;
  readonly bytes: number;
  readonly entries: readonly string[];
}

/**
 * Writes `rotor-<engine>.zip`: one bundled handler per strategy (`single-user.js`,
 * `alternating-users.js`, each exporting `handler`), the control-plane SDK clients they load only
 * for managed superuser secrets (`rds-sdk.js`, ...: those the engine resolves with), and the RDS CA certificates. The same commit
 * always gives the same bytes.
 */
export async function buildEngineZip(options: BuildEngineZipOptions): Promise<BuiltZip> {
  const entryPoints = {
    ...Object.fromEntries(STRATEGIES.map((s) => [s, handlerEntryPoint(options.packageDir, s)])),
    ...Object.fromEntries(
      controlPlaneSdksFor(options.engine).map((sdk) => controlPlaneSdkEntryPoint(sdk, options.packageDir)),
    ),
  };
  const bundled = await bundleHandlers({
    entryPoints,
    workingDirectory: options.repoRoot,
    ...(options.sourcemap ? { sourcemap: true } : {}),
  });
  const entries: ZipInputEntry[] = [...bundled].map(([name, data]) => ({ name, data }));
  for (const entry of entries) assertNoMachinePaths(entry, options.repoRoot);
  entries.push({ name: RDS_CA_BUNDLE_ENTRY, data: rdsCaBundlePem() });

  const archive = writeZip(entries);
  mkdirSync(options.outDir, { recursive: true });
  const file = join(options.outDir, `rotor-${options.engine}.zip`);
  writeFileSync(file, archive);
  return { engine: options.engine, file, bytes: archive.length, entries: entries.map((e) => e.name).sort() };
}

/**
 * The engine's control-plane SDK files; an engine outside ENGINE_PACKAGES (a test fixture) gets
 * the RDS one, which every engine built on rotation-core may resolve with.
 */
function controlPlaneSdksFor(engine: string): readonly ControlPlaneSdk[] {
  return ENGINE_PACKAGES.find((p) => p.engine === engine)?.controlPlaneSdks ?? ['rds'];
}

/**
 * Paths of this machine in a bundle would leak into every deployment and break reproducibility.
 * (Not the temporary directory: `/tmp` legitimately occurs in library source in source maps.)
 */
export function machinePaths(repoRoot: string): string[] {
  const home = homedir();
  const paths = [repoRoot, realpathSync(repoRoot), ...(home.length > 1 ? [`${home}/`] : [])];
  return [...new Set(paths)];
}

function assertNoMachinePaths(entry: ZipInputEntry, repoRoot: string): void {
  const text = Buffer.from(entry.data).toString('utf8');
  const leaked = machinePaths(repoRoot).find((p) => text.includes(p));
  if (leaked !== undefined) throw new PackagingError(`${entry.name} contains the local path ${leaked}`);
}
