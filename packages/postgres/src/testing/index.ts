// The engine's test adapter, for this workspace's tests, demo and bench (it needs @rotor/testkit).
export {
  asSuperuser,
  asUser,
  createSuiteDatabase,
  createTestAdapter,
  dropAdapterDatabases,
  dropRoles,
} from './postgres-test-adapter';
