/**
 * Every error a rotation raises is a RotationError: the service shows its name and message in
 * the Lambda's error output, so messages name the secret, step, version and user, and never a
 * password, a secret string or a connection string. The original error is kept as `cause`.
 */
export interface RotationErrorContext {
  readonly secretId?: string;
  readonly step?: string;
  readonly versionId?: string;
  readonly username?: string;
}

export class RotationError extends Error {
  override name = 'RotationError';
  readonly context: RotationErrorContext;
  /** The message without the context suffix. */
  readonly detail: string;

  constructor(message: string, context: RotationErrorContext = {}, options?: { cause?: unknown }) {
    super(withContext(message, context), options);
    this.context = context;
    this.detail = message;
  }
}

/** The Lambda event is malformed: missing or mistyped members, unknown step. */
export class InvalidEventError extends RotationError {
  override name = 'InvalidEventError';
}

/** Environment variables are invalid (found once, at cold start). */
export class ConfigurationError extends RotationError {
  override name = 'ConfigurationError';
}

/** The secret's JSON is unusable: not JSON, missing or mistyped keys, wrong engine. */
export class SecretFormatError extends RotationError {
  override name = 'SecretFormatError';
}

/** The secret's `engine` names a database this function does not rotate. */
export class UnsupportedEngineError extends SecretFormatError {
  override name = 'UnsupportedEngineError';
}

/** Versions and stages are not as a rotation needs them (not enabled, token not pending, ...). */
export class SecretStateError extends RotationError {
  override name = 'SecretStateError';
}

/** A safety check refused to act: pending and current are for different users or hosts. */
export class UnsafeRotationError extends RotationError {
  override name = 'UnsafeRotationError';
}

export type LoginFailureReason = 'authentication' | 'tls' | 'network' | 'other';

/** No session could be opened with the credentials the step needed. */
export class LoginFailedError extends RotationError {
  override name = 'LoginFailedError';
  constructor(
    message: string,
    readonly reason: LoginFailureReason,
    context: RotationErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}

/** Logged in, but the password change or user clone failed in the database. */
export class DatabaseChangeError extends RotationError {
  override name = 'DatabaseChangeError';
}

/** A Secrets Manager call failed; `awsCode` is the service's error name. */
export class SecretsManagerError extends RotationError {
  override name = 'SecretsManagerError';
  readonly awsCode: string;
  constructor(message: string, context: RotationErrorContext, options: { cause?: unknown; awsCode: string }) {
    super(message, context, { cause: options.cause });
    this.awsCode = options.awsCode;
  }
}

function withContext(message: string, context: RotationErrorContext): string {
  const parts: string[] = [];
  if (context.secretId) parts.push(`secret ${context.secretId}`);
  if (context.step) parts.push(`step ${context.step}`);
  if (context.versionId) parts.push(`version ${context.versionId}`);
  if (context.username !== undefined) parts.push(`user ${JSON.stringify(context.username)}`);
  return parts.length > 0 ? `${message} (${parts.join(', ')})` : message;
}
