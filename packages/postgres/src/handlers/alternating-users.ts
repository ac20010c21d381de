import { createRotationHandler } from '@rotor/rotation-core';
import { postgresEngine } from '../postgres-engine';

/** Lambda entry point `alternating-users.handler`: a superuser keeps `<user>_clone` and alternates. */
export const handler = createRotationHandler(postgresEngine, 'alternating-users');
