/**
 * The @aws-sdk/client-rds module, required only when a superuser secret needs it. A Lambda
 * bundle carries it as a file of its own (rds-sdk.js), so the handlers every rotation loads stay
 * as small, and start as fast, as without it.
 */
export * from '@aws-sdk/client-rds';
