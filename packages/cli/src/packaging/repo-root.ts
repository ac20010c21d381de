import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../errors';

/** The monorepo root: the nearest directory at or above `start` holding pnpm-workspace.yaml. */
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new CliError(`no pnpm-workspace.yaml at or above ${start}; run inside the Rotor repository`);
    dir = parent;
  }
}
