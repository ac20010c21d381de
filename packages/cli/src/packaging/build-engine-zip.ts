import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { controlPlaneServices, type EngineModule } from '@rotor/rotation-core';
import { PackagingError } from '../errors';
import { bundleHandlers, MAIN_FIELDS, NODE_TARGET } from './bundle-handlers';
import { bundleControlPlaneSdks } from './control-plane-sdks';
import { handlerEntryPoint, packageDirectory, STRATEGIES } from './engine-packages';
import { rdsCaBundlePem } from './rds-ca-bundle';
import { bundledPackages, formatThirdPartyNotices, THIRD_PARTY_NOTICES_ENTRY } from './third-party-notices';
import { writeZip, type ZipInputEntry } from './zip-writer';

export const RDS_CA_BUNDLE_ENTRY = 'certs/rds-ca-bundle.pem';

export interface BuildEngineZipOptions {
  /** The engine's descriptor: its name names the zip, its package holds the handlers. */
  readonly module: EngineModule;
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
 * for managed superuser secrets (`rds-sdk.js`, ...: those the engine resolves with), the RDS CA
 * certificates, and THIRD_PARTY_NOTICES (the licenses of the packages bundled). The same commit
 * always gives the same bytes.
 */
export async function buildEngineZip(options: BuildEngineZipOptions): Promise<BuiltZip> {
  const { module } = options;
  const packageDir = packageDirectory(module.packageName);
  const entryPoints = Object.fromEntries(STRATEGIES.map((s) => [s, handlerEntryPoint(packageDir, s)]));
  // The control-plane SDK files first: the handlers lend them the packages they borrow.
  const sdks = controlPlaneServices(module.engine.managedSecretResolutions ?? []);
  const sdkFiles = await bundleControlPlaneSdks({
    sdks,
    resolveFrom: packageDir,
    workingDirectory: options.repoRoot,
    target: NODE_TARGET,
    mainFields: MAIN_FIELDS,
    ...(options.sourcemap ? { sourcemap: true } : {}),
  });
  const handlers = await bundleHandlers({
    entryPoints,
    workingDirectory: options.repoRoot,
    omit: module.bundleOmits,
    controlPlaneSdks: { sdks, lent: sdkFiles.lent, resolveFrom: packageDir },
    ...(options.sourcemap ? { sourcemap: true } : {}),
  });
  const bundled = {
    files: new Map([...handlers.files, ...sdkFiles.files]),
    inputs: [...new Set([...handlers.inputs, ...sdkFiles.inputs])].sort(),
  };
  const entries: ZipInputEntry[] = [...bundled.files].map(([name, data]) => ({ name, data }));
  entries.push({
    name: THIRD_PARTY_NOTICES_ENTRY,
    data: formatThirdPartyNotices(bundledPackages(bundled.inputs, options.repoRoot)),
  });
  for (const entry of entries) assertNoMachinePaths(entry, options.repoRoot);
  entries.push({ name: RDS_CA_BUNDLE_ENTRY, data: rdsCaBundlePem() });

  const archive = writeZip(entries);
  mkdirSync(options.outDir, { recursive: true });
  const file = join(options.outDir, `rotor-${module.name}.zip`);
  writeFileSync(file, archive);
  return { engine: module.name, file, bytes: archive.length, entries: entries.map((e) => e.name).sort() };
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
