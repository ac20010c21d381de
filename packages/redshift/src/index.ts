export { redshiftEngine } from './redshift-engine';
export { redshiftModule } from './redshift-module';
