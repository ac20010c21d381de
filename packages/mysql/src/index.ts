export { mysqlEngine } from './mysql-engine';
