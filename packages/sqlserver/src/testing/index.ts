export { createSqlServerTestAdapter } from './sqlserver-test-adapter';
