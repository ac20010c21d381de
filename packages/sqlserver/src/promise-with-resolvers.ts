// tedious 20 calls Promise.withResolvers (Node.js 22+); imported first by the connection module so the
// handlers also run on Node 20. See rotation-core's installPromiseWithResolvers.
import { installPromiseWithResolvers } from '@rotor/rotation-core';

installPromiseWithResolvers();
