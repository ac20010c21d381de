export {
  RedshiftConfigurationError,
  RedshiftIdentityError,
  RedshiftPasswordError,
  RedshiftStatementError,
  RedshiftUsernameError,
} from './errors';
export { RedshiftCatalog, type RedshiftCatalogOptions, userStateFromRows } from './redshift-catalog';
export { REDSHIFT_DEFAULT_DATABASE } from './redshift-connection';
export {
  createRedshiftEngine,
  REDSHIFT_PORT,
  type RedshiftEngineOptions,
  redshiftEngine,
} from './redshift-engine';
export { type DirectGrant, planCloneSync, type SyncPlan, type UserState } from './redshift-grant-sync';
export { createRedshiftRotationHandler } from './redshift-handler';
export { redshiftModule } from './redshift-module';
export {
  FORBIDDEN_PASSWORD_CHARACTERS,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  redshiftPasswordProblems,
  redshiftSettingsProblems,
} from './redshift-password';
export { foldedName, MAX_IDENTIFIER_BYTES, md5PasswordHash, quoteIdent, quoteLiteral } from './redshift-sql';
