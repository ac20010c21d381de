export { createTestAdapter } from './sqlserver-test-adapter';
