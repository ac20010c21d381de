/**
 * What Rotor uses of @aws-sdk/client-redshift, required only when a superuser secret needs it. A
 * Lambda bundle carries it as a file of its own (redshift-sdk.js), so the handlers every rotation
 * loads stay as small, and start as fast, as without it. Named exports only: the bundle keeps
 * these and what they reach, not the client's other commands, paginators and waiters.
 */
export { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
