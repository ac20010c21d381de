export { clientEd25519Plugin, ed25519PublicKey, ed25519Sign } from './client-ed25519-plugin';
export { classifyMysqlError, closeMysql, connectMysql } from './mysql-connection';
export { mysqlEngine } from './mysql-engine';
export {
  type Account,
  type AccountSettings,
  GrantParseError,
  type GrantPlan,
  type LiteralMode,
  type PrivilegeGrant,
  type PrivilegeLevel,
  parseServerVersion,
  parseShowGrants,
  planGrantSync,
  quoteAccount,
  quoteIdentifier,
  quoteLiteral,
  type ServerFamily,
  type ServerVersion,
  serverUsernameLimit,
  type UserGrants,
} from './mysql-sql';
