export { LambdaInvocationError, SecretsManagerServiceError, StateFileError } from './errors';
export type { LambdaModuleSpec, RotationEvent, RotationFunction } from './rotation-event';
export type { RotationPlan } from './secret-store';
export { SecretStore } from './secret-store';
export { SecretsManagerLocal, type SecretsManagerLocalOptions } from './secrets-manager-local';
