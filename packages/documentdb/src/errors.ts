import {
  type ConnectFailureKind,
  DatabaseChangeError,
  RotationError,
  SecretFormatError,
} from '@rotor/rotation-core';

/**
 * No session could be opened: the server did not answer in time, refused TLS, or refused the
 * login. `kind` is what core's login classification reports; `cause` is the driver's error.
 */
export class DocumentDbConnectError extends RotationError {
  override name = 'DocumentDbConnectError';
  constructor(
    message: string,
    readonly kind: ConnectFailureKind,
    options: { cause?: unknown } = {},
  ) {
    super(message, {}, options);
  }
}

/** The server is older than the mongodb driver supports (DocumentDB 4.0 and 3.6: MongoDB 4.0 and 3.6 wire versions). */
export class UnsupportedServerVersionError extends DocumentDbConnectError {
  override name = 'UnsupportedServerVersionError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, 'other', options);
  }
}

/** The secret names a user that authenticates through IAM (MONGODB-AWS, `$external`): it has no password. */
export class IamUserError extends SecretFormatError {
  override name = 'IamUserError';
}

/** A user the engine must not rotate: DocumentDB's `serviceadmin`, or one without a SCRAM password. */
export class UnsupportedMongoUserError extends DatabaseChangeError {
  override name = 'UnsupportedMongoUserError';
}

/** The server refused `updateUser` on the user itself: it holds no role granting changeOwnPassword. */
export class OwnPasswordNotAllowedError extends DatabaseChangeError {
  override name = 'OwnPasswordNotAllowedError';
}

/** The user the alternating strategy mirrors is not in the authentication database. */
export class MongoUserNotFoundError extends DatabaseChangeError {
  override name = 'MongoUserNotFoundError';
}

/** The server answered a user command in a form the engine does not understand. */
export class UnexpectedReplyError extends DatabaseChangeError {
  override name = 'UnexpectedReplyError';
}
