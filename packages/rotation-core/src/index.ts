export type { RotationConfig } from './config';
export { loadRotationConfig, splitPem } from './config';
export { DatabaseLogin, type LoginAttempt, type Transport } from './database-login';
export { Deadline, DeadlineExceededError } from './deadline';
export type {
  AlternateUserChange,
  AlternateUserOutcome,
  ConnectFailureKind,
  ConnectionSettings,
  DatabaseEngine,
  EngineContext,
  EngineEnvironment,
  OwnPasswordChange,
  PasswordClass,
  TlsSettings,
} from './engine';
export { type EngineModule, type EngineSetting, readEngineSetting } from './engine-module';
export {
  ConfigurationError,
  DatabaseChangeError,
  InvalidEventError,
  LoginFailedError,
  RotationError,
  SecretFormatError,
  SecretStateError,
  SecretsManagerError,
  UnsafeRotationError,
  UnsupportedEngineError,
} from './errors';
export { jsonSyntaxProblem } from './json-syntax';
export { type LocalRotationOptions, type LocalRotationResult, rotateLocally } from './local-rotation';
export type { LogFields, LogLevel, LogSink } from './logger';
export { Logger } from './logger';
export { AwsControlPlane, CONTROL_PLANE_ENDPOINT_VARIABLES } from './managed-secrets/aws-control-plane';
export type {
  ControlPlane,
  DbClusterInfo,
  DbInstanceInfo,
  EndpointInfo,
  NamespaceInfo,
  WorkgroupInfo,
} from './managed-secrets/control-plane';
export {
  ControlPlaneError,
  SuperuserResolutionError,
  type SuperuserResolutionProblem,
} from './managed-secrets/resolution-errors';
export {
  type ControlPlaneService,
  controlPlaneServices,
  MANAGED_SECRET_TAGS,
  MAX_DATABASE_ARN_LENGTH,
  type ManagedSecretResolution,
  resolveSuperuserTarget,
  type SuperuserResolutionInput,
  type SuperuserTarget,
} from './managed-secrets/superuser-resolution';
export type { PasswordPolicy } from './password';
export { CHARACTER_CLASSES, generatePassword, MIN_PASSWORD_LENGTH, passwordPolicyProblems } from './password';
export { installPromiseWithResolvers } from './promise-with-resolvers';
export { describeError, isDistinctive, Redactor } from './redactor';
export type { RotationEvent, RotationStep } from './rotation-event';
export { parseRotationEvent, ROTATION_STEPS } from './rotation-event';
export type { RotationHandler, RotationHandlerOptions, StepResult } from './rotation-handler';
export { createRotationHandler } from './rotation-handler';
export {
  alternateUsernameProblem,
  CLONE_SUFFIX,
  cloneUsername,
  loginSecretRules,
  originalUsername,
  secretRulesFor,
  superuserIdentityProblem,
  superuserSecretRules,
  usernameLength,
  usernameLengthUnit,
} from './rotation-rules';
export type { DatabaseSecret, SecretRules, SslMode } from './secret-value';
export {
  acceptsEngineName,
  alternateUsername,
  parseDatabaseSecret,
  parseSecretJson,
  sameEndpoint,
  sameHost,
} from './secret-value';
export { type SecretsManagerTimeouts, secretsManagerHttpOptions } from './secrets-gateway';
export { STRATEGY_NAMES, type StrategyName } from './strategies/rotation-strategy';
export { defaultTrustedCertificates, rdsCertificateCount, tlsSettingsFor } from './tls';
