import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PackagingError } from '../errors';

export const THIRD_PARTY_NOTICES_ENTRY = 'THIRD_PARTY_NOTICES';

/** One npm package whose code is inside a bundle. */
export interface BundledPackage {
  readonly name: string;
  readonly version: string;
  /** The SPDX expression from its package.json. */
  readonly license: string;
  /** Its LICENSE / COPYING / NOTICE files, file name → text, in name order. */
  readonly texts: readonly (readonly [string, string])[];
}

// The project's own packages are Rotor (Apache-2.0, the repository's LICENSE), not third parties.
const OWN_SCOPE = '@rotor/';
const LICENSE_FILE = /^(licen[cs]e|copying|notice)(-[a-z0-9]+)?(\.(md|txt|markdown))?$/i;

/**
 * The packages that own the bundle's input files (esbuild's metafile `inputs`, relative to
 * `workingDirectory`): for each file, the nearest package.json above it with a name and version.
 * Refuses a package that declares no license, because its code could not be shipped.
 */
export function bundledPackages(inputs: Iterable<string>, workingDirectory: string): BundledPackage[] {
  const manifestFor = new Map<string, string | undefined>();
  const found = new Map<string, BundledPackage>();
  for (const input of inputs) {
    // esbuild names plugin-made modules `namespace:path`; those have no file on disk.
    if (/^[a-z-]+:/.test(input)) continue;
    const dir = owningPackageDir(dirname(resolve(workingDirectory, input)), manifestFor);
    if (dir === undefined) {
      throw new PackagingError(`${input} is bundled but belongs to no package with a package.json`);
    }
    const manifest = readManifest(dir);
    if (manifest.name.startsWith(OWN_SCOPE)) continue;
    const key = `${manifest.name}@${manifest.version}`;
    if (found.has(key)) continue;
    if (manifest.license === undefined) {
      throw new PackagingError(
        `${key} is bundled but its package.json declares no license; Rotor cannot ship its code`,
      );
    }
    found.set(key, {
      name: manifest.name,
      version: manifest.version,
      license: manifest.license,
      texts: licenseTexts(dir),
    });
  }
  return [...found.values()].sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version));
}

/**
 * The THIRD_PARTY_NOTICES file: every bundled package with its license and the text of its
 * license and notice files. Sorted, with fixed line endings, so the same inputs give the same bytes.
 */
export function formatThirdPartyNotices(packages: readonly BundledPackage[]): string {
  const rule = '-'.repeat(78);
  const head = [
    'Third-party software in this archive',
    '',
    'The JavaScript files in this archive are Rotor (Apache-2.0) bundled with the npm packages',
    'below. Each is listed with its version, its declared license, and the license and notice',
    'files it ships.',
    '',
    ...packages.map((p) => `  ${p.name} ${p.version} (${p.license})`),
  ];
  const sections = packages.map((p) => {
    const texts =
      p.texts.length === 0
        ? [`(${p.name} ships no license file; its package.json declares ${p.license})`]
        : p.texts.map(([file, text]) => `${file}:\n\n${text}`);
    return [rule, `${p.name} ${p.version}`, `License: ${p.license}`, '', texts.join('\n\n')].join('\n');
  });
  return `${[head.join('\n'), ...sections].join('\n\n')}\n`;
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
}

function owningPackageDir(start: string, cache: Map<string, string | undefined>): string | undefined {
  const visited: string[] = [];
  let dir = start;
  let owner: string | undefined;
  for (;;) {
    if (cache.has(dir)) {
      owner = cache.get(dir);
      break;
    }
    visited.push(dir);
    // Nested package.json files without a name (e.g. `{"type": "module"}` in dist-es/) belong
    // to the package above them, and so do nested copies of the package's own manifest (e.g.
    // dist/commonjs/package.json repeating the name): the package is its outermost directory.
    if (existsSync(join(dir, 'package.json')) && isPackageRoot(join(dir, 'package.json'))) {
      owner = outermostWithSameName(dir);
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const v of visited) cache.set(v, owner);
  return owner;
}

function outermostWithSameName(dir: string): string {
  const name = parseJson(join(dir, 'package.json')).name;
  let outermost = dir;
  for (let up = dirname(dir); up !== dirname(up) && !up.endsWith('node_modules'); up = dirname(up)) {
    const manifest = join(up, 'package.json');
    if (existsSync(manifest) && parseJson(manifest).name === name) outermost = up;
  }
  return outermost;
}

function isPackageRoot(file: string): boolean {
  const json = parseJson(file);
  return typeof json.name === 'string' && typeof json.version === 'string';
}

function readManifest(dir: string): Manifest {
  const json = parseJson(join(dir, 'package.json'));
  const license = declaredLicense(json);
  return {
    name: json.name as string,
    version: json.version as string,
    ...(license ? { license } : {}),
  };
}

/** `license` (SPDX string), or the deprecated object and `licenses` array forms. */
function declaredLicense(json: Record<string, unknown>): string | undefined {
  const typeOf = (v: unknown) =>
    typeof v === 'string'
      ? v
      : typeof v === 'object' && v !== null
        ? (v as { type?: unknown }).type
        : undefined;
  const single = typeOf(json.license);
  if (typeof single === 'string' && single.trim() !== '') return single.trim();
  if (Array.isArray(json.licenses)) {
    const types = json.licenses.map(typeOf).filter((t): t is string => typeof t === 'string' && t !== '');
    if (types.length > 0) return types.length === 1 ? types[0] : `(${types.join(' OR ')})`;
  }
  return undefined;
}

function licenseTexts(dir: string): [string, string][] {
  return readdirSync(dir)
    .filter((file) => LICENSE_FILE.test(file))
    .sort(compare)
    .map((file) => [file, readFileSync(join(dir, file), 'utf8').replace(/\r\n?/g, '\n').trimEnd()]);
}

function parseJson(file: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error) {
    throw new PackagingError(`cannot read ${file}`, { cause: error });
  }
}

// Code-point order, independent of the machine's locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
