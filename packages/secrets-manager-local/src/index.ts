export type {
  DbClusterSpec,
  DbInstanceSpec,
  EndpointSpec,
  Topology,
  TopologyInput,
  WorkgroupSpec,
} from './control-plane/topology';
export { buildTopology, readTopologyFile } from './control-plane/topology';
export { crc32 } from './crc32';
export {
  LambdaInvocationError,
  SecretsManagerServiceError,
  StateFileError,
  ZipFormatError,
} from './errors';
export type { LambdaModuleSpec, RotationEvent, RotationFunction } from './rotation-event';
export type { RotationPlan } from './secret-store';
export { SecretStore } from './secret-store';
export { SecretsManagerLocal, type SecretsManagerLocalOptions } from './secrets-manager-local';
export * as zipFormat from './zip-format';
export { readZip, unzipToDirectory, type ZipEntry } from './zip-reader';
