import { createRotationHandler } from '@rotor/rotation-core';
import { sqlServerEngine } from '../sqlserver-engine';

export const handler = createRotationHandler(sqlServerEngine, 'single-user');
