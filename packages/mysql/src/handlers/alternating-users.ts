import { createRotationHandler } from '@rotor/rotation-core';
import { mysqlEngine } from '../mysql-engine';

export const handler = createRotationHandler(mysqlEngine, 'alternating-users');
