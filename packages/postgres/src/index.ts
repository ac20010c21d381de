export {
  classifyPostgresConnectError,
  closePostgres,
  connectPostgres,
  type PostgresConnectOptions,
} from './postgres-connection';
export { postgresEngine } from './postgres-engine';
export { postgresModule } from './postgres-module';
export {
  alterRolePasswordStatement,
  createLoginRoleStatement,
  DEFAULT_SCRAM_ITERATIONS,
  grantMembershipStatement,
  MAX_IDENTIFIER_BYTES,
  md5Verifier,
  type PasswordFormat,
  passwordFormatFor,
  passwordForServer,
  quoteIdent,
  quoteLiteral,
  roleSettingEntry,
  type ServerPasswordFacts,
  scramSha256Verifier,
  setRoleStatement,
} from './postgres-sql';
export { saslprep } from './saslprep';
