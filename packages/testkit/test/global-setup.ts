// The testkit tests its own provisioning: postgres (embedded here, Docker or env elsewhere) and MariaDB
// when ROTOR_TEST_MARIADB_URL names one.
import { createGlobalSetup } from '../src/jest/global-setup';

export default createGlobalSetup(['postgres', 'mariadb']);
