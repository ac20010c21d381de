// The library behind the `rotor` command, for scripts and benchmarks that build or unpack zips.

export type { ZipEntry } from '@rotor/secrets-manager-local';
export { readZip, unzipToDirectory } from '@rotor/secrets-manager-local';
export { engineFor, engineModuleNamed, engineValues } from './engines/engine-registry';
export { ENGINES } from './engines/engines';
export { CliError, PackagingError, UsageError, ZipFormatError } from './errors';
export type { BuildEngineZipOptions, BuiltZip } from './packaging/build-engine-zip';
export { buildEngineZip, RDS_CA_BUNDLE_ENTRY } from './packaging/build-engine-zip';
export { packageDirectory, STRATEGIES } from './packaging/engine-packages';
export { formatSize } from './packaging/format-size';
export { findRepoRoot } from './packaging/repo-root';
export type { ZipInputEntry } from './packaging/zip-writer';
export { writeZip } from './packaging/zip-writer';
export { runCli } from './run-cli';
