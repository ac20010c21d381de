import type { EngineModule } from '@rotor/rotation-core';
import { redshiftEngine } from './redshift-engine';

/** What the tooling knows about this package: its zip, bundle, and test adapter. */
export const redshiftModule: EngineModule = {
  name: 'redshift',
  title: 'Amazon Redshift (provisioned and Serverless)',
  packageName: '@rotor/redshift',
  engine: redshiftEngine,
  bundleOmits: { 'pg-native': 'native libpq bindings' },
  testing: { entryPoint: '@rotor/redshift/testing', targets: ['redshift'] },
};
