import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaInvocationError } from './errors';
import { unzipToDirectory } from './zip-reader';

/** A handler file given as a `.zip` is a Lambda deployment package, addressed by a handler string. */
export function isDeploymentPackage(file: string): boolean {
  return file.toLowerCase().endsWith('.zip');
}

// Directories still unpacked; removed at process exit when nobody called stop() (a crashed test,
// a script that just returns), so a temp dir of handler code is never left behind on the common paths.
const unpackedDirectories = new Set<string>();
let exitHookInstalled = false;

/**
 * Unpacks a deployment package into a new private (0700) temporary directory and returns its path.
 * The caller removes it with `removeDeploymentPackage` once the function is closed.
 */
export function unpackDeploymentPackage(zipFile: string): string {
  const archive = readFileSync(zipFile);
  const directory = mkdtempSync(join(tmpdir(), 'rotor-lambda-'));
  try {
    unzipToDirectory(archive, directory);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  unpackedDirectories.add(directory);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const dir of unpackedDirectories) rmSync(dir, { recursive: true, force: true });
    });
  }
  return directory;
}

export function removeDeploymentPackage(directory: string): void {
  unpackedDirectories.delete(directory);
  rmSync(directory, { recursive: true, force: true });
}

/**
 * Lambda's handler-string rule: `[path/]module.export`. The module is the part of the last path
 * segment before its first dot, looked up as `.js`, `.mjs`, then `.cjs` under the package root;
 * the rest is the export. `..` is refused, as Lambda refuses it.
 */
export function resolveHandlerString(
  directory: string,
  handler: string,
): { file: string; exportName: string } {
  if (handler.includes('..')) {
    throw new LambdaInvocationError(
      'Runtime.MalformedHandlerName',
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = handler.lastIndexOf('/');
  const root = slash === -1 ? '' : handler.slice(0, slash);
  const last = handler.slice(slash + 1);
  const dot = last.indexOf('.');
  if (dot <= 0 || dot === last.length - 1) {
    throw new LambdaInvocationError(
      'Runtime.MalformedHandlerName',
      `Bad handler ${handler}: expected module.export`,
    );
  }
  const base = join(directory, root, last.slice(0, dot));
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f)) ?? `${base}.js`;
  return { file, exportName: last.slice(dot + 1) };
}
