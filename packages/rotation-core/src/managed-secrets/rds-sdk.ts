/**
 * What Rotor uses of @aws-sdk/client-rds, required only when a superuser secret needs it. A Lambda
 * bundle carries it as a file of its own (rds-sdk.js), so the handlers every rotation loads stay
 * as small, and start as fast, as without it. Named exports only: the bundle keeps these and
 * what they reach, not the client's other commands, paginators and waiters.
 */
export { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
