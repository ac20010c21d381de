import { createRedshiftRotationHandler } from '../redshift-handler';

/** Lambda entry point `single-user.handler`: the user changes its own password. */
export const handler = createRedshiftRotationHandler('single-user');
