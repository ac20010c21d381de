export { requireUsable, SqlServerDriverError, SqlServerInputError, SqlServerRefusalError } from './errors';
export { classifySqlServerError, mssqlConfig, type Row, type SqlSession } from './sqlserver-connection';
export {
  createSqlServerEngine,
  SQLSERVER_ENGINE_NAMES,
  type SqlServerEngineOptions,
  sqlServerEngine,
} from './sqlserver-engine';
export { sqlserverModule } from './sqlserver-module';
export {
  type Permission,
  type PermissionAction,
  type PermissionRow,
  permissionsOf,
  planPermissionSync,
  planRoleSync,
  type RoleMemberRow,
  type Securable,
} from './sqlserver-permission-sync';
export type { SqlBatch } from './sqlserver-sql';
