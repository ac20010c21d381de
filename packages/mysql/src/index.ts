export { clientEd25519Plugin, ed25519PublicKey, ed25519Sign } from './client-ed25519-plugin';
export { classifyMysqlError, closeMysql, connectMysql } from './mysql-connection';
export { mysqlEngine } from './mysql-engine';
export { type GrantPlan, planGrantSync } from './mysql-grant-sync';
export {
  GrantParseError,
  type PrivilegeGrant,
  type PrivilegeLevel,
  parseShowGrants,
  type UserGrants,
} from './mysql-grants';
export { mysqlModule } from './mysql-module';
export {
  type Account,
  type AccountSettings,
  type LiteralMode,
  parseServerVersion,
  quoteAccount,
  quoteIdentifier,
  quoteLiteral,
  type ServerFamily,
  type ServerVersion,
  serverUsernameLimit,
} from './mysql-sql';
