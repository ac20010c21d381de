export type { DocumentDbConnection } from './documentdb-connection';
export { documentDbEngine } from './documentdb-engine';
