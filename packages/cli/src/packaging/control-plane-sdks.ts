import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { ControlPlaneService } from '@rotor/rotation-core';
import { type BuildOptions, type BuildResult, build, type Metafile, type Plugin } from 'esbuild';
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
 *   `@aws-sdk/core/protocols`, the credential providers, ...): of an ES module, only the exports
 *   the SDK file imports, so the handler keeps no more of it than those. What stays in
 *   `rds-sdk.js` is the RDS client, its endpoint rules, the schemas of the commands used and the
 *   errors RDS may answer.
 */
export type ControlPlaneSdk = ControlPlaneService;

export interface ControlPlaneSdkFiles {
  /** `<name>-sdk.js` (and its map) → contents. */
  readonly files: Map<string, Uint8Array>;
  /** Every source file esbuild kept in them, relative to the working directory. */
  readonly inputs: readonly string[];
  /** The packages they borrow from the handler, sorted. */
  readonly borrowed: readonly string[];
  /** What they import of each borrowed package: names, or the whole module. */
  readonly lent: Lent;
}

/** Borrowed package → the names imported from it, or `'module'`: the whole module. */
export type Lent = ReadonlyMap<string, readonly string[] | 'module'>;

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
  /** package.json fields esbuild resolves packages by: the handlers' own, so both see the same files. */
  readonly mainFields: readonly string[];
  readonly sourcemap?: boolean;
}

/** Builds `<name>-sdk.js` for each SDK, borrowing what the handler's Secrets Manager client has. */
export async function bundleControlPlaneSdks(options: ControlPlaneSdkOptions): Promise<ControlPlaneSdkFiles> {
  const outdir = join(options.workingDirectory, 'dist', 'bundle');
  if (options.sdks.length === 0) return { files: new Map(), inputs: [], borrowed: [], lent: new Map() };
  const lender = lenderDirectory(options.resolveFrom);
  const carried = await lenderImports(lender, options);
  const borrowed = new Set<string>();
  const common: BuildOptions & { write: false; metafile: true } = {
    entryPoints: options.sdks.map((sdk) => ({
      out: `${sdk}-sdk`,
      in: sdkSource(sdk, options.resolveFrom),
    })),
    absWorkingDir: options.workingDirectory,
    outdir,
    write: false,
    bundle: true,
    platform: 'node',
    target: options.target,
    // ES modules first: only what the exported commands reach is kept.
    mainFields: [...options.mainFields],
    metafile: true,
    logLevel: 'silent',
  };
  let result: BuildResult<{ write: false; metafile: true }>;
  let lent: Lent;
  try {
    result = await build({
      ...common,
      banner: { js: WRAPPER.banner },
      footer: { js: WRAPPER.footer },
      format: 'cjs',
      minify: true,
      legalComments: 'none',
      sourcemap: options.sourcemap ? 'linked' : false,
      plugins: [borrowFrom(lender, carried, borrowed)],
    });
    lent = await importedNames(common, lender, carried);
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
  const inputs = keptInputs(result.metafile).filter((path) => !path.startsWith('rotor-borrowed:'));
  const unnamed = [...borrowed].filter((path) => !lent.has(path));
  if (unnamed.length > 0)
    throw new PackagingError(
      `the control-plane SDK borrows ${unnamed.sort().join(', ')} but imports nothing of it`,
    );
  return { files, inputs, borrowed: [...borrowed].sort(), lent };
}

/**
 * What the SDK files import of each borrowed package, so the handler lends only that (a whole
 * ES module lent would keep all of it in the handler): the same build as ES modules, with the
 * borrowed packages left external, lists those imports in its output. A borrowed package
 * reached any other way (a namespace import, a require from CommonJS) is lent whole.
 */
async function importedNames(common: BuildOptions, lender: string, carried: Set<string>): Promise<Lent> {
  const borrowed = new Set<string>();
  const result = await build({
    ...common,
    format: 'esm',
    minify: false,
    plugins: [borrowFrom(lender, carried, borrowed, true)],
  });
  const text = (result.outputFiles ?? []).map((f) => f.text).join('\n');
  const lent = new Map<string, string[] | 'module'>();
  for (const path of [...borrowed].sort()) {
    const quoted = JSON.stringify(path);
    const names = new Set<string>();
    let understood = 0;
    for (const match of text.matchAll(NAMED_IMPORT)) {
      if (match[3] !== quoted) continue;
      understood++;
      if (match[1] !== undefined) names.add('default');
      for (const spec of (match[2] ?? '').split(',')) {
        const name = spec.trim().split(/\s+as\s+/)[0];
        if (name !== undefined && name !== '') names.add(name);
      }
    }
    // Every import or require of it (its name also occurs in bundled package.json files).
    const everywhere = [...text.matchAll(IMPORTED)].filter((m) => m[1] === quoted).length;
    lent.set(path, understood === everywhere ? [...names].sort() : 'module');
  }
  return lent;
}

// `import a, { b, c as d } from "x";`, `import { b } from "x";`, `import "x";` (esbuild's output).
const IMPORTED = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*("[^"]+")/g;
const NAMED_IMPORT = /^import\s*(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\}\s*)?(?:from\s*)?("[^"]+");$/gm;

/** The input files esbuild kept, sorted (tree-shaken files are parsed but contribute nothing). */
export function keptInputs(metafile: Metafile): string[] {
  const kept = Object.values(metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return [...new Set(kept)].sort();
}

const BUILTINS = new Set(builtinModules);
const isBare = (path: string) => !path.startsWith('.') && !path.startsWith('/') && !path.startsWith('rotor');
/**
 * The packages (bare import paths, as `@smithy/core/client`) a handler's Secrets Manager client
 * brings into the bundle: a metafile-only pass over it, resolved as the handlers resolve it.
 * Only these can be lent.
 */
async function lenderImports(lender: string, options: ControlPlaneSdkOptions): Promise<Set<string>> {
  const seen = new Set<string>();
  const pass = build({
    stdin: { contents: `require(${JSON.stringify(LENDER)});`, resolveDir: lender, loader: 'js' },
    absWorkingDir: options.workingDirectory,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: [...options.mainFields],
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
function borrowFrom(lender: string, carried: Set<string>, borrowed: Set<string>, external = false): Plugin {
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
        return external
          ? { path: args.path, external: true }
          : { path: args.path, namespace: 'rotor-borrowed' };
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
  lent: Lent,
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
        contents: `module.exports = require("./${args.path}-sdk.js")(require("rotor:lend").lend);`,
        loader: 'js',
      }));
      b.onResolve({ filter: SDK_FILE, namespace: 'rotor-sdk-loader' }, (args) => ({
        path: args.path,
        external: true,
      }));
      b.onResolve({ filter: /^rotor:lend$/ }, () => ({ path: 'lend', namespace: 'rotor-lend' }));
      b.onLoad({ filter: /.*/, namespace: 'rotor-lend' }, () => ({
        contents: lendModule(lent),
        resolveDir: lenderDirectory(resolveFrom),
        loader: 'js',
      }));
    },
  };
}

/**
 * The handler's `lend(name)`: for a package the SDK files import names from, an object of those
 * names (getters onto the handler's own bindings, marked `__esModule` as esbuild's CommonJS view of
 * an ES module is); for one lent whole, the handler's module itself.
 */
function lendModule(lent: Lent): string {
  const imports: string[] = [];
  const cases: string[] = [];
  [...lent].forEach(([name, names], i) => {
    const quoted = JSON.stringify(name);
    if (names === 'module') {
      cases.push(`    case ${quoted}: return require(${quoted});`);
      return;
    }
    const local = (j: number) => `l${i}_${j}`;
    // Imported for its side effects alone: the handler has run it already.
    if (names.length > 0)
      imports.push(`import { ${names.map((n, j) => `${n} as ${local(j)}`).join(', ')} } from ${quoted};`);
    const getters = names.map((n, j) => `get ${n}() { return ${local(j)}; }`);
    cases.push(`    case ${quoted}: return { __proto__: null, __esModule: true, ${getters.join(', ')} };`);
  });
  return [
    ...imports,
    'export function lend(name) {',
    '  switch (name) {',
    ...cases,
    '  }',
    "  throw new Error('the handler lends no ' + name);",
    '}',
  ].join('\n');
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
