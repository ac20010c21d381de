import { createRotationHandler } from '@rotor/rotation-core';
import { postgresEngine } from '../postgres-engine';

/** Lambda entry point `single-user.handler`: the user changes its own password. */
export const handler = createRotationHandler(postgresEngine, 'single-user');
