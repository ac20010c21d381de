/** The error codes this emulator returns, as they appear in `__type` on the wire. */
export type AwsErrorCode =
  | 'ResourceNotFoundException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'ResourceExistsException'
  | 'LimitExceededException'
  | 'ValidationException'
  | 'InvalidNextTokenException'
  | 'AccessDeniedException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'RequestEntityTooLargeException'
  | 'InternalServiceError'
  | 'ThrottlingException';

/**
 * An error the emulator reports to the caller as an AWS error response. Anything else thrown
 * while serving a request is a bug and becomes a 500 `InternalServiceError`.
 */
export class SecretsManagerServiceError extends Error {
  override readonly name = 'SecretsManagerServiceError';
  readonly code: AwsErrorCode;
  readonly statusCode: number;

  constructor(code: AwsErrorCode, message: string, statusCode = 400) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
  }
}

export const notFound = (message = "Secrets Manager can't find the specified secret.") =>
  new SecretsManagerServiceError('ResourceNotFoundException', message);

export const invalidParameter = (message: string) =>
  new SecretsManagerServiceError('InvalidParameterException', message);

export const invalidRequest = (message: string) =>
  new SecretsManagerServiceError('InvalidRequestException', message);

export const resourceExists = (message: string) =>
  new SecretsManagerServiceError('ResourceExistsException', message);

export const limitExceeded = (message: string) =>
  new SecretsManagerServiceError('LimitExceededException', message);

export const validationError = (message: string) =>
  new SecretsManagerServiceError('ValidationException', message);

export const serializationError = (message: string) =>
  new SecretsManagerServiceError('SerializationException', message);

export const MARKED_FOR_DELETION =
  "You can't perform this operation on the secret because it was marked for deletion.";

export const MISSING_TOKEN = 'You must provide a ClientRequestToken value. We recommend a UUID-type value.';

/** Raised by a rotation function invocation (thrown handler error, crashed worker, bad module). */
export class LambdaInvocationError extends Error {
  override readonly name = 'LambdaInvocationError';
  /** The `name` of the error the function threw (e.g. `TypeError`, `Runtime.ImportModuleError`). */
  readonly errorType: string;

  constructor(errorType: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorType = errorType;
  }
}

/** Raised when the `--state` file cannot be read back. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** Raised for a fault rule or `--faults` file that cannot be used. */
export class FaultConfigError extends Error {
  override readonly name = 'FaultConfigError';
}

/** Raised for bad command-line arguments. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A zip archive cannot be read or written: corrupt or unsupported archive, or an entry name that is
 * unsafe (absolute, `..`, escaping the target directory).
 */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}
