export { crc32 } from './crc32';
export {
  FaultConfigError,
  LambdaInvocationError,
  SecretsManagerServiceError,
  StateFileError,
  ZipFormatError,
} from './errors';
export {
  FAULT_KINDS,
  type FaultConfig,
  type FaultDecision,
  FaultInjector,
  type FaultKind,
  type FaultRule,
  parseFaultConfig,
  seededRandom,
} from './fault-injector';
export type { LambdaModuleSpec, RotationEvent, RotationFunction } from './rotation-event';
export type { RotationPlan } from './secret-store';
export { SecretStore } from './secret-store';
export { SecretsManagerLocal, type SecretsManagerLocalOptions } from './secrets-manager-local';
export * as zipFormat from './zip-format';
export { readZip, unzipToDirectory, type ZipEntry } from './zip-reader';
