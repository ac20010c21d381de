// The engine's test adapter, for this workspace's tests and bench (it needs @rotor/testkit).
export { createTestAdapter, dropAdapterDatabases } from './mysql-test-adapter';
