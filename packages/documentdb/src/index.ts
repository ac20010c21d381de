export type { DocumentDbConnection } from './documentdb-connection';
export { documentDbEngine } from './documentdb-engine';
export { documentdbModule } from './documentdb-module';
