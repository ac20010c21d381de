export type { DatabaseServer, DatabaseSource, ServerAddress } from './database-server';
export {
  DATABASE_TARGETS,
  type DatabaseTarget,
  DOCKER_IMAGES,
  databaseTarget,
  type EngineFamily,
  isTargetName,
  TARGET_NAMES,
  type TargetName,
} from './database-targets';
export { formatDatabaseUrl, parseDatabaseUrl } from './database-url';
export { type ContainerPlan, containerPlan, startDockerDatabase } from './docker-database';
export { type DockerStatus, detectDocker } from './docker-detection';
export { type DockerPolicy, dockerPolicy } from './docker-policy';
export {
  EMBEDDED_MD5_ROLE_PREFIX,
  type EmbeddedPostgresOptions,
  startEmbeddedPostgres,
} from './embedded-postgres';
export { type BadInputCase, badInputCases } from './engine-suite/bad-input-cases';
export { type AppUser, ConformanceHarness } from './engine-suite/conformance-harness';
export {
  adapterSecret,
  type CreateTestAdapter,
  type EngineTestAdapter,
  type FaultRigAdapter,
  type LoginResult,
  type SuperuserCredentials,
  type TestAdapterOptions,
} from './engine-suite/engine-test-adapter';
export {
  FaultInjector,
  type FaultPoint,
  faultyEngine,
  injectSecretsManagerFaults,
} from './engine-suite/fault-injection';
export {
  describeFault,
  FaultRig,
  ROTATION_STEPS,
  type RotationStep,
  type StepFault,
} from './engine-suite/fault-rig';
export {
  formatSoakFigures,
  runFaultSoak,
  type SoakFigures,
  type SoakOptions,
  type SoakTarget,
} from './engine-suite/fault-soak';
export { LogCapture } from './engine-suite/log-capture';
export type { ManagedSuperuserOptions } from './engine-suite/managed-superuser-cases';
export { type InvariantCase, invariantViolations } from './engine-suite/rotation-invariant';
export {
  type ConformanceTestOptions,
  defineEngineConformanceTests,
  type EngineConformanceOptions,
  runEngineConformanceSuite,
} from './engine-suite/run-engine-conformance-suite';
export { MATRIX_FAULTS, runEngineFaultMatrix } from './engine-suite/run-engine-fault-matrix';
export { DatabaseStartError, DatabaseUrlError, TestkitError } from './errors';
export { FaultProxy, type FaultProxyMode, type FaultProxyStats, type TrafficObserver } from './fault-proxy';
export { describeWithDatabase } from './jest/describe-with-database';
export { createGlobalSetup, type GlobalSetupOptions } from './jest/global-setup';
export { createGlobalTeardown } from './jest/global-teardown';
export { isLoopbackHost, itFromLoopback, loopbackSkipReason } from './jest/loopback-client';
export { type DatabaseAvailability, databaseAvailability, databaseServer } from './jest/published-servers';
export {
  MongoProtocolDouble,
  type MongoProtocolDoubleOptions,
} from './mongo-double/mongo-protocol-double';
export { mysqlAdminConnection } from './mysql-admin-connection';
export { pgAdminClient } from './pg-admin-client';
export {
  noServerReason,
  type ProvisioningStep,
  type ProvisionOptions,
  type ProvisionResult,
  provisionDatabase,
  provisioningPlan,
} from './provision-database';
export { probeServer, probeServerVersion, type ServerFacts } from './server-version';
export { UNSUPPORTED_STATEMENT } from './tds-double/batch-executor';
export {
  type LoginAttempt,
  TdsProtocolDouble,
  type TdsProtocolDoubleOptions,
} from './tds-double/tds-protocol-double';
export { TdsDoubleSqlError, TdsDoubleState } from './tds-double/tds-state';
export { createTestCertificates, opensslAvailable, type TestCertificates } from './test-certificates';
export { uniqueName } from './unique-name';
