import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { type BuildResult, build, type Metafile, type Plugin } from 'esbuild';
import { PackagingError } from '../errors';
import {
  assertLentPackagesBundled,
  type ControlPlaneSdk,
  isControlPlaneSdkFile,
  keptInputs,
  type Lent,
  lendToControlPlaneSdks,
} from './control-plane-sdks';

export interface BundleOptions {
  /** Output file name (without `.js`) → entry point source file. */
  readonly entryPoints: Readonly<Record<string, string>>;
  /**
   * Directory paths in the bundle are relative to (the repository root). Keeps this machine's
   * absolute paths out of the output, so the bytes do not depend on where the checkout lives.
   */
  readonly workingDirectory: string;
  /**
   * Modules the driver requires only when installed, which Rotor does not need (the engine's
   * `bundleOmits`): each becomes a module that throws the usual MODULE_NOT_FOUND error, so the
   * driver behaves exactly as when it is absent, and no require is left dangling in the bundle.
   */
  readonly omit?: Readonly<Record<string, string>>;
  readonly sourcemap?: boolean;
  /**
   * The control-plane SDK files the zip carries (`bundleControlPlaneSdks`): rotation-core's
   * requires of them load those files, lending them the packages they borrow.
   */
  readonly controlPlaneSdks?: {
    readonly sdks: readonly ControlPlaneSdk[];
    readonly lent: Lent;
    readonly resolveFrom: string;
  };
}

/** File name in the zip → contents. */
export type BundledFiles = Map<string, Uint8Array>;

export interface Bundle {
  readonly files: BundledFiles;
  /** Every source file with code in the bundle, relative to the working directory (esbuild's metafile). */
  readonly inputs: readonly string[];
}

// The Lambda runtime the zips are for (nodejs22.x).
export const NODE_TARGET = 'node22';
/**
 * ES modules first (the AWS SDK's `dist-es`), so esbuild keeps only what the handlers reach
 * instead of every export of each CommonJS build.
 */
export const MAIN_FIELDS: readonly string[] = ['module', 'main'];

/**
 * Bundles handlers for Lambda: CommonJS, minified, with the database driver and the AWS SDK
 * inside so their versions are the ones tested. Only Node built-ins stay external; any other
 * import left unresolved fails the build. Legal comments are dropped from the code because the
 * licenses travel whole in THIRD_PARTY_NOTICES, built from `inputs`.
 */
export async function bundleHandlers(options: BundleOptions): Promise<Bundle> {
  let result: BuildResult<{ write: false; metafile: true }>;
  try {
    result = await build({
      entryPoints: Object.entries(options.entryPoints).map(([out, source]) => ({ out, in: source })),
      absWorkingDir: options.workingDirectory,
      // Never written: the files go straight into the zip.
      outdir: join(options.workingDirectory, 'dist', 'bundle'),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: NODE_TARGET,
      mainFields: [...MAIN_FIELDS],
      minify: true,
      legalComments: 'none',
      sourcemap: options.sourcemap ? 'linked' : false,
      metafile: true,
      logLevel: 'silent',
      plugins: [
        workspaceSources,
        without(options.omit ?? {}),
        lendToControlPlaneSdks(
          options.controlPlaneSdks?.sdks ?? [],
          options.controlPlaneSdks?.lent ?? new Map(),
          options.controlPlaneSdks?.resolveFrom ?? options.workingDirectory,
        ),
      ],
    });
  } catch (error) {
    throw new PackagingError(`esbuild failed: ${(error as Error).message}`, { cause: error });
  }
  if (result.warnings.length > 0) {
    // Warnings (e.g. an unresolvable require inside a try) are dropped silently by Lambda only at
    // run time; surface them now.
    const text = result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`).join('; ');
    throw new PackagingError(`esbuild warned: ${text}`);
  }
  checkExternals(result.metafile);
  assertLentPackagesBundled(result.metafile);

  const files: BundledFiles = new Map();
  for (const file of result.outputFiles) {
    files.set(
      relative(join(options.workingDirectory, 'dist', 'bundle'), file.path)
        .split('\\')
        .join('/'),
      file.contents,
    );
  }
  return { files, inputs: keptInputs(result.metafile) };
}

/**
 * In a checkout, `@rotor/*` packages are bundled from their TypeScript sources rather than their
 * `dist/` (which may be stale or missing); installed packages, which ship no `src/`, resolve
 * normally.
 */
const workspaceSources: Plugin = {
  name: 'rotor-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@rotor\/[a-z0-9-]+$/ }, (args) => {
      let packageJson: string;
      try {
        packageJson = require.resolve(`${args.path}/package.json`, { paths: [args.resolveDir] });
      } catch {
        return undefined;
      }
      const source = join(dirname(packageJson), 'src', 'index.ts');
      return existsSync(source) ? { path: source } : undefined;
    });
  },
};

function without(omit: Readonly<Record<string, string>>): Plugin {
  return {
    name: 'rotor-without-optional-modules',
    setup(b) {
      const names = Object.keys(omit);
      if (names.length === 0) return;
      const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
      b.onResolve({ filter: new RegExp(`^(${escaped.join('|')})$`) }, (args) => ({
        path: args.path,
        namespace: 'rotor-absent',
      }));
      b.onLoad({ filter: /.*/, namespace: 'rotor-absent' }, (args) => ({
        contents: `const e = new Error(${JSON.stringify(`${args.path} (${omit[args.path]}) is not included in Rotor bundles`)}); e.code = 'MODULE_NOT_FOUND'; throw e;`,
        loader: 'js',
      }));
    },
  };
}

const BUILTINS = new Set(builtinModules);

function checkExternals(metafile: Metafile): void {
  const externals = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (imp.external && !BUILTINS.has(imp.path.replace(/^node:/, '')) && !isControlPlaneSdkFile(imp.path))
        externals.add(imp.path);
    }
  }
  if (externals.size > 0) {
    throw new PackagingError(
      `bundle would load modules that are not in it: ${[...externals].sort().join(', ')}`,
    );
  }
}
