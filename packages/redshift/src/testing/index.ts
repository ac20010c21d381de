export {
  createRedshiftTestAdapter,
  createTestAdapter,
  type RedshiftTestAdapterOptions,
  type RedshiftTestServer,
} from './redshift-test-adapter';
