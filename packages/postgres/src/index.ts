export {
  classifyPostgresConnectError,
  closePostgres,
  connectPostgres,
  type PostgresConnectOptions,
} from './postgres-connection';
export { postgresEngine } from './postgres-engine';
export { postgresModule } from './postgres-module';
export { quoteIdent, quoteLiteral } from './postgres-sql';
