import { RotationError, type RotationErrorContext } from '../errors';

export type SuperuserResolutionProblem =
  | 'missing-tag'
  | 'unsupported-tag'
  | 'arn-too-long'
  | 'not-found'
  | 'no-endpoint'
  | 'wrong-engine';

/**
 * A superuser secret holding only `{username, password}` could not be resolved to a database:
 * its tag is missing, not one this engine resolves, too long, or names a database the service's
 * API does not know. Raised before any database is touched; names the tag and the secret's ARN.
 */
export class SuperuserResolutionError extends RotationError {
  override name = 'SuperuserResolutionError';
  constructor(
    message: string,
    readonly problem: SuperuserResolutionProblem,
    readonly superuserArn: string,
    readonly tag: string | undefined,
    context: RotationErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}

/** An RDS, Redshift or Redshift Serverless API call failed; `awsCode` is the service's error name. */
export class ControlPlaneError extends RotationError {
  override name = 'ControlPlaneError';
  constructor(
    message: string,
    readonly awsCode: string,
    context: RotationErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}
