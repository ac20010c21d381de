/**
 * The control-plane SDK clients in one module of their own, required only when a superuser secret
 * needs them. The Lambda bundle carries it as a separate file (control-plane-sdk.js), so the
 * handlers every rotation loads stay as small, and start as fast, as without it.
 */
export * as rds from '@aws-sdk/client-rds';
export * as redshift from '@aws-sdk/client-redshift';
export * as redshiftServerless from '@aws-sdk/client-redshift-serverless';
