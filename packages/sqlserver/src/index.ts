export type { SqlSession } from './sqlserver-connection';
export { sqlServerEngine } from './sqlserver-engine';
export { sqlserverModule } from './sqlserver-module';
