import {
  ConfigurationError,
  DatabaseChangeError,
  SecretFormatError,
  UnsafeRotationError,
} from '@rotor/rotation-core';

/**
 * A name or value (from the secret or the catalog) that Rotor will not put into a statement, or
 * a catalog row it cannot read. Raised before the statement is sent, so nothing changed by it.
 */
export class RedshiftStatementError extends DatabaseChangeError {
  override name = 'RedshiftStatementError';
}

/** Environment variables that would make passwords Redshift refuses (found at cold start). */
export class RedshiftConfigurationError extends ConfigurationError {
  override name = 'RedshiftConfigurationError';
}

/** A user name Redshift cannot hold (the clone's name over 127 bytes), refused before any change. */
export class RedshiftUsernameError extends SecretFormatError {
  override name = 'RedshiftUsernameError';
}

/** A password Redshift's rules refuse (length, classes, forbidden characters); nothing was sent. */
export class RedshiftPasswordError extends SecretFormatError {
  override name = 'RedshiftPasswordError';
}

/** testSecret logged in, but the session runs as another user than the secret names. */
export class RedshiftIdentityError extends UnsafeRotationError {
  override name = 'RedshiftIdentityError';
}
