import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from '../errors';

/** The monorepo root: the nearest directory at or above `start` holding pnpm-workspace.yaml. */
export function findRepoRoot(start: string = process.cwd()): string {
  const root = repoRootAbove(start);
  if (root === undefined)
    throw new CliError(`no pnpm-workspace.yaml at or above ${start}; run inside the Rotor repository`);
  return root;
}

function repoRootAbove(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Where `rotor package` bundles from and, by default, writes to. */
export interface BuildRoot {
  /** esbuild's working directory: paths in the bundle and its notices are relative to it. */
  readonly directory: string;
  /** The default output directory of the zips. */
  readonly outDir: string;
}

/**
 * Inside the Rotor repository: its root, zips in its dist/. Elsewhere (an installed @rotor/cli):
 * the directory whose node_modules holds the CLI and the engine packages it bundles, zips in
 * dist/ under the working directory.
 */
export function buildRoot(cwd: string): BuildRoot {
  const repo = repoRootAbove(cwd);
  if (repo !== undefined) return { directory: repo, outDir: join(repo, 'dist') };
  return { directory: installedIn(resolve(__dirname, '..', '..')), outDir: resolve(cwd, 'dist') };
}

/** `<dir>/node_modules/@rotor/cli` -> `<dir>`; the package directory itself when not so installed. */
function installedIn(cliDir: string): string {
  const modules = dirname(dirname(cliDir));
  return basename(modules) === 'node_modules' ? dirname(modules) : cliDir;
}
