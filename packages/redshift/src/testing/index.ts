export {
  createRedshiftTestAdapter,
  type RedshiftTestAdapterOptions,
  type RedshiftTestServer,
} from './redshift-test-adapter';
