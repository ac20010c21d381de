import { ConfigurationError, DatabaseChangeError, SecretFormatError } from '@rotor/rotation-core';

/** The username length setting is not a usable number (found at cold start). */
export class MysqlConfigurationError extends ConfigurationError {
  override name = 'MysqlConfigurationError';
}

/** The alternate user's name is longer than this server allows; refused before any change. */
export class MysqlUsernameError extends SecretFormatError {
  override name = 'MysqlUsernameError';
}

/**
 * A name or value Rotor will not put into a statement (a NUL in an identifier, an unusable hash
 * salt). Raised before the statement is sent, so nothing changed.
 */
export class MysqlStatementError extends DatabaseChangeError {
  override name = 'MysqlStatementError';
}

/**
 * The accounts are not as the change needs them: the original user the clone mirrors has no
 * account, or the user to change is neither the original nor its clone. Found before any change.
 */
export class MysqlAccountError extends DatabaseChangeError {
  override name = 'MysqlAccountError';
}

/** An account of the original user authenticates with a plugin that has no password to rotate. */
export class MysqlAuthPluginError extends MysqlAccountError {
  override name = 'MysqlAuthPluginError';
}

/** The clone's privileges still differ from the original's after every allowed sync pass. */
export class MysqlGrantSyncError extends DatabaseChangeError {
  override name = 'MysqlGrantSyncError';
}

/** The server answered in a form the engine cannot read (no version row, an unknown ssl_type). */
export class MysqlServerReplyError extends DatabaseChangeError {
  override name = 'MysqlServerReplyError';
}
