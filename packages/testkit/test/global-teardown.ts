import { createGlobalTeardown } from '../src/jest/global-teardown';

export default createGlobalTeardown();
