import { createRotationHandler } from '@rotor/rotation-core';
import { documentDbEngine } from '../documentdb-engine';

export const handler = createRotationHandler(documentDbEngine, 'single-user');
