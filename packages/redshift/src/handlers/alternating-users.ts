import { createRedshiftRotationHandler } from '../redshift-handler';

/** Lambda entry point `alternating-users.handler`: a superuser keeps `<user>_clone` and alternates. */
export const handler = createRedshiftRotationHandler('alternating-users');
