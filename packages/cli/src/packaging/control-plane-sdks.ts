import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { ControlPlaneService } from '@rotor/rotation-core';
import { type BuildResult, build, type Metafile, type Plugin } from 'esbuild';
import { PackagingError } from '../errors';

/**
 * The control-plane SDK clients (RDS, Redshift, Redshift Serverless) in a zip.
 *
 * rotation-core requires `./rds-sdk` (and the others) only for a superuser secret the database
 * service manages. Each stays a file of its own next to the handlers (`rds-sdk.js`, ...), so the
 * handlers every rotation loads do not grow, and a zip carries only the clients its engine
 * resolves with. To keep those files small:
 *
 * - they are built from the clients' ES modules with only the commands Rotor sends (the
 *   `<name>-sdk.ts` files in rotation-core export nothing else), so esbuild drops the other
 *   commands, paginators and waiters;
 * - they carry no copy of the SDK core: every package they import that the Secrets Manager client
 *   (inside each handler) also imports, at the same version, is *borrowed* from the handler that
 *   loads them. `rds-sdk.js` is one function, `load(lend)` (esbuild's output inside it, so
 *   nothing in it runs before), which the handler calls with `lend(name)`, returning the
 *   handler's own instance of a borrowed package (`@smithy/core/client`,
 *   `@aws-sdk/core/protocols`, the credential providers, ...). What stays in `rds-sdk.js` is the
 *   RDS client, its endpoint rules, the schemas of the commands used and the errors RDS may
 *   answer.
 */
export type ControlPlaneSdk = ControlPlaneService;

export interface ControlPlaneSdkFiles {
  /** `<name>-sdk.js` (and its map) → contents. */
  readonly files: Map<string, Uint8Array>;
  /** Every source file esbuild kept in them, relative to the working directory. */
  readonly inputs: readonly string[];
  /** The packages they borrow from the handler, sorted. */
  readonly borrowed: readonly string[];
}

// Where rotation-core requires the clients, and the files they become.
const SDK_REQUEST = /^\.\/(rds|redshift|redshift-serverless)-sdk$/;
const SDK_FILE = /^\.\/(rds|redshift|redshift-serverless)-sdk\.js$/;
const REQUIRED_FROM = /rotation-core[\\/](src|dist)[\\/]managed-secrets$/;
// The client whose packages the handlers carry, and so lend.
const LENDER = '@aws-sdk/client-secrets-manager';
// The parameter through which a borrowed package reaches the SDK file's code: the file is one
// function, `load(lend)`, around esbuild's output, so nothing runs before the handler lends.
const LEND = '__rotorLend';
const WRAPPER = {
  banner: `module.exports = function load(${LEND}) { var module = { exports: {} }, exports = module.exports;`,
  footer: 'return module.exports; };',
};

/** Whether a bundle output may require this path: a control-plane SDK file next to it. */
export const isControlPlaneSdkFile = (path: string): boolean => SDK_FILE.test(path);

/** The rotation-core source (or compiled file) a control-plane SDK file is built from. */
function sdkSource(sdk: ControlPlaneSdk, resolveFrom: string): string {
  const packageJson = require.resolve('@rotor/rotation-core/package.json', { paths: [resolveFrom] });
  const source = join(dirname(packageJson), 'src', 'managed-secrets', `${sdk}-sdk.ts`);
  return existsSync(source) ? source : join(dirname(packageJson), 'dist', 'managed-secrets', `${sdk}-sdk.js`);
}

/** The directory of the Secrets Manager client the handlers bundle (resolved as rotation-core does). */
function lenderDirectory(resolveFrom: string): string {
  const core = require.resolve('@rotor/rotation-core/package.json', { paths: [resolveFrom] });
  return dirname(require.resolve(`${LENDER}/package.json`, { paths: [dirname(core)] }));
}

export interface ControlPlaneSdkOptions {
  readonly sdks: readonly ControlPlaneSdk[];
  /** The engine package's directory: rotation-core and the SDK clients resolve from it. */
  readonly resolveFrom: string;
  readonly workingDirectory: string;
  readonly target: string;
  readonly sourcemap?: boolean;
}

/** Builds `<name>-sdk.js` for each SDK, borrowing what the handler's Secrets Manager client has. */
export async function bundleControlPlaneSdks(options: ControlPlaneSdkOptions): Promise<ControlPlaneSdkFiles> {
  const outdir = join(options.workingDirectory, 'dist', 'bundle');
  if (options.sdks.length === 0) return { files: new Map(), inputs: [], borrowed: [] };
  const lender = lenderDirectory(options.resolveFrom);
  const carried = await lenderImports(lender, options.workingDirectory);
  const borrowed = new Set<string>();
  let result: BuildResult<{ write: false; metafile: true }>;
  try {
    result = await build({
      entryPoints: options.sdks.map((sdk) => ({
        out: `${sdk}-sdk`,
        in: sdkSource(sdk, options.resolveFrom),
      })),
      banner: { js: WRAPPER.banner },
      footer: { js: WRAPPER.footer },
      absWorkingDir: options.workingDirectory,
      outdir,
      write: false,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: options.target,
      // ES modules first: only what the exported commands reach is kept.
      mainFields: ['module', 'main'],
      minify: true,
      legalComments: 'none',
      sourcemap: options.sourcemap ? 'linked' : false,
      metafile: true,
      logLevel: 'silent',
      plugins: [borrowFrom(lender, carried, borrowed)],
    });
  } catch (error) {
    throw new PackagingError(`esbuild failed on the control-plane SDK: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (result.warnings.length > 0) {
    const text = result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`).join('; ');
    throw new PackagingError(`esbuild warned on the control-plane SDK: ${text}`);
  }
  assertOnlyBuiltins(result.metafile);
  const files = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) {
    files.set(relative(outdir, file.path).split('\\').join('/'), file.contents);
  }
  // What esbuild kept (tree-shaken files are parsed but contribute nothing).
  const kept = Object.values(result.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([path, i]) => i.bytesInOutput > 0 && !path.startsWith('rotor-borrowed:'))
      .map(([path]) => path),
  );
  const inputs = [...new Set(kept)].sort();
  return { files, inputs, borrowed: [...borrowed].sort() };
}

const BUILTINS = new Set(builtinModules);
const isBare = (path: string) => !path.startsWith('.') && !path.startsWith('/') && !path.startsWith('rotor');
/**
 * The packages (bare import paths, as `@smithy/core/client`) a handler's Secrets Manager client
 * brings into the bundle: a metafile-only pass over it, resolved as the handlers resolve it.
 * Only these can be lent.
 */
async function lenderImports(lender: string, workingDirectory: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const pass = build({
    stdin: { contents: `require(${JSON.stringify(LENDER)});`, resolveDir: lender, loader: 'js' },
    absWorkingDir: workingDirectory,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    plugins: [
      {
        name: 'rotor-record-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (isBare(args.path)) seen.add(args.path);
            return undefined;
          });
        },
      },
    ],
  });
  try {
    await pass;
  } catch (error) {
    throw new PackagingError(`esbuild failed on ${LENDER}: ${(error as Error).message}`, { cause: error });
  }
  return seen;
}

/** `/x/node_modules/@smithy/core/dist-es/a.js` for `@smithy/core/client` → `/x/node_modules/@smithy/core`. */
function packageDirectoryOf(file: string, importPath: string): string {
  const name = importPath
    .split('/')
    .slice(0, importPath.startsWith('@') ? 2 : 1)
    .join('/');
  const marker = `node_modules/${name}/`;
  const at = file.split('\\').join('/').lastIndexOf(marker);
  return at < 0 ? file : file.slice(0, at + marker.length);
}

/**
 * A bare import the handler's Secrets Manager client also makes, of the same package at the same
 * version (the same directory, resolved from that client), becomes a module that returns the
 * handler's instance.
 */
function borrowFrom(lender: string, carried: Set<string>, borrowed: Set<string>): Plugin {
  return {
    name: 'rotor-borrow-from-handler',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (!isBare(args.path) || args.pluginData === 'own') return undefined;
        const from = await b.resolve(args.path, {
          kind: 'require-call',
          resolveDir: args.resolveDir,
          pluginData: 'own',
        });
        const atLender = await b.resolve(args.path, {
          kind: 'require-call',
          resolveDir: lender,
          pluginData: 'own',
        });
        if (!carried.has(args.path) || from.errors.length > 0 || atLender.errors.length > 0) return undefined;
        if (packageDirectoryOf(from.path, args.path) !== packageDirectoryOf(atLender.path, args.path))
          return undefined;
        borrowed.add(args.path);
        return { path: args.path, namespace: 'rotor-borrowed' };
      });
      b.onLoad({ filter: /.*/, namespace: 'rotor-borrowed' }, (args) => ({
        contents: `module.exports = ${LEND}(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

function assertOnlyBuiltins(metafile: Metafile): void {
  const externals = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (imp.external && !BUILTINS.has(imp.path.replace(/^node:/, ''))) externals.add(imp.path);
    }
  }
  if (externals.size > 0)
    throw new PackagingError(
      `the control-plane SDK would load modules that are not in it: ${[...externals].sort().join(', ')}`,
    );
}

/**
 * The handler's side: `require('./rds-sdk')` in rotation-core becomes
 * `require('./rds-sdk.js')(lend)`, where `lend(name)` returns the handler's own instance of a
 * borrowed package (which the Secrets Manager client already put in the handler, so the handler
 * does not grow). A client the zip does not carry stays a plain require of its absent file, which
 * only a managed superuser secret the engine does not resolve could reach.
 */
export function lendToControlPlaneSdks(
  sdks: readonly ControlPlaneSdk[],
  borrowed: readonly string[],
  resolveFrom: string,
): Plugin {
  return {
    name: 'rotor-lend-to-control-plane-sdks',
    setup(b) {
      b.onResolve({ filter: SDK_REQUEST }, (args) => {
        if (!REQUIRED_FROM.test(args.resolveDir)) return undefined;
        const sdk = (SDK_REQUEST.exec(args.path) as RegExpExecArray)[1] as ControlPlaneSdk;
        return sdks.includes(sdk)
          ? { path: sdk, namespace: 'rotor-sdk-loader' }
          : { path: `${args.path}.js`, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'rotor-sdk-loader' }, (args) => ({
        contents: `module.exports = require("./${args.path}-sdk.js")(require("rotor:lend"));`,
        loader: 'js',
      }));
      b.onResolve({ filter: SDK_FILE, namespace: 'rotor-sdk-loader' }, (args) => ({
        path: args.path,
        external: true,
      }));
      b.onResolve({ filter: /^rotor:lend$/ }, () => ({ path: 'lend', namespace: 'rotor-lend' }));
      b.onLoad({ filter: /.*/, namespace: 'rotor-lend' }, () => ({
        contents: [
          'module.exports = (name) => {',
          '  switch (name) {',
          ...borrowed.map(
            (name) => `    case ${JSON.stringify(name)}: return require(${JSON.stringify(name)});`,
          ),
          '  }',
          "  throw new Error('the handler lends no ' + name);",
          '};',
        ].join('\n'),
        resolveDir: lenderDirectory(resolveFrom),
        loader: 'js',
      }));
    },
  };
}

/**
 * Lending must not grow the handler: every package lent must also be imported by something else
 * in it (the Secrets Manager client). Otherwise the SDK file should carry it, not every handler.
 */
export function assertLentPackagesBundled(metafile: Metafile): void {
  const lend = Object.entries(metafile.inputs).find(([path]) => path.startsWith('rotor-lend:'));
  if (lend === undefined) return;
  const elsewhere = new Set(
    Object.entries(metafile.inputs)
      .filter(([path]) => !path.startsWith('rotor-lend:'))
      .flatMap(([, input]) => input.imports.map((i) => i.path)),
  );
  const extra = lend[1].imports.filter((i) => !elsewhere.has(i.path)).map((i) => i.original ?? i.path);
  if (extra.length > 0)
    throw new PackagingError(
      `the handler would carry ${extra.sort().join(', ')} only to lend to the control-plane SDK`,
    );
}
