// Pure SQL text for MySQL and MariaDB: quoting, server version detection, and the account
// statements (passwords, TLS requirements, limits). No I/O here.
//
// Account-management statements (CREATE USER, ALTER USER, GRANT, SET PASSWORD) take no bind
// parameters, so names and passwords are written into the text. Names are always backtick-quoted
// (backslash has no meaning inside backticks in any sql_mode), and string literals are escaped for
// the session's actual sql_mode (NO_BACKSLASH_ESCAPES changes what a backslash means).

import { MysqlServerReplyError, MysqlStatementError } from './errors';
import { storedPasswordHash } from './mysql-password-hash';

/** A MySQL account `user@host`; a MariaDB role has no host. */
export interface Account {
  readonly user: string;
  readonly host?: string;
}

// ---------------------------------------------------------------------------------------------
// Quoting

/** `name` as a backtick-quoted identifier; a backtick inside is doubled. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new MysqlStatementError('identifiers cannot contain a NUL character');
  return `\`${name.replace(/`/g, '``')}\``;
}

/** `user`@`host` (or a bare `role` for a MariaDB role). */
export function quoteAccount(account: Account): string {
  return account.host === undefined
    ? quoteIdentifier(account.user)
    : `${quoteIdentifier(account.user)}@${quoteIdentifier(account.host)}`;
}

export interface LiteralMode {
  /** False when the session's sql_mode contains NO_BACKSLASH_ESCAPES. */
  readonly backslashEscapes: boolean;
}

/** True when a backslash is an escape character under this sql_mode value. */
export function backslashEscapesFor(sqlMode: string): boolean {
  return !sqlMode
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .includes('NO_BACKSLASH_ESCAPES');
}

/**
 * A single-quoted string literal. A quote is doubled, which means the same in every sql_mode; a
 * backslash is doubled only when the session treats it as an escape character, because under
 * NO_BACKSLASH_ESCAPES a doubled backslash would stay two backslashes (a different password).
 */
export function quoteLiteral(value: string, mode: LiteralMode): string {
  let body = value.replace(/'/g, "''");
  if (mode.backslashEscapes) {
    body = body
      .replace(/\\/g, '\\\\')
      .replace(/\0/g, '\\0')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replaceAll(String.fromCharCode(0x1a), '\\Z');
  }
  return `'${body}'`;
}

// ---------------------------------------------------------------------------------------------
// Server versions

export type ServerFamily = 'mysql' | 'mariadb';

export interface ServerVersion {
  readonly family: ServerFamily;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Aurora MySQL reports e.g. `8.0.mysql_aurora.3.05.2`. */
  readonly aurora: boolean;
  /** The version string as given, for messages. */
  readonly text: string;
}

/**
 * Reads `SELECT VERSION()` (or the handshake's server version) and, optionally, `@@version_comment`.
 * MariaDB says so in either (`10.11.19-MariaDB-0+deb12u1`, comment `mariadb.org binary
 * distribution`); over the handshake MariaDB 10.x+ prefixes `5.5.5-` for old clients, which is
 * removed so `5.5.5-10.11.6-MariaDB` is 10.11.6, not 5.5.5.
 */
export function parseServerVersion(version: string, versionComment = ''): ServerVersion {
  const text = version.trim();
  const family: ServerFamily = /mariadb/i.test(text) || /mariadb/i.test(versionComment) ? 'mariadb' : 'mysql';
  const stripped = family === 'mariadb' ? text.replace(/^5\.5\.5-(?=\d+\.\d+)/, '') : text;
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(stripped);
  if (!match) throw new MysqlServerReplyError(`cannot read the server version from ${JSON.stringify(text)}`);
  return {
    family,
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    aurora: /aurora/i.test(text) || /aurora/i.test(versionComment),
    text,
  };
}

/** `version >= major.minor.patch`. */
export function versionAtLeast(version: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

export function describeServer(version: ServerVersion): string {
  const name = version.family === 'mariadb' ? 'MariaDB' : version.aurora ? 'Aurora MySQL' : 'MySQL';
  return `${name} ${version.major}.${version.minor}.${version.patch}`;
}

/**
 * The longest user name the server stores: mysql.user.User is CHAR(32) since MySQL 5.7.8, CHAR(80)
 * since MariaDB 10.0, and CHAR(16) before.
 */
export function serverUsernameLimit(version: ServerVersion): number {
  if (version.family === 'mariadb') return version.major >= 10 ? 80 : 16;
  return versionAtLeast(version, 5, 7, 8) ? 32 : 16;
}

// ---------------------------------------------------------------------------------------------
// Password statements

/**
 * The statement with which the logged-in user sets its own password. `plugin` is the account's
 * own authentication plugin when known (MariaDB: read from SHOW CREATE USER CURRENT_USER()).
 *
 * MariaDB: `SET PASSWORD = '<hash>'` with the hash the account's plugin stores
 * (mysql_native_password, ed25519), which a user may run for itself without any privilege, so the
 * password never appears in statement text. For another plugin (parsec) or an unknown one,
 * `SET PASSWORD = PASSWORD(...)`, which hashes for the account's own plugin from 10.4 on, whereas
 * `ALTER USER ... IDENTIFIED BY` would switch an ed25519 account to mysql_native_password.
 * MySQL 5.7.6+: `ALTER USER CURRENT_USER() IDENTIFIED BY ...`, which keeps the account's plugin;
 * from 8.0.13 with `REPLACE <current>`, so accounts with password_require_current still rotate.
 * REPLACE cannot be combined with `IDENTIFIED WITH ... AS <hash>`, so MySQL keeps the password
 * form here (MySQL rewrites it out of its general, slow and binary logs itself).
 * Older MySQL: `SET PASSWORD = PASSWORD(...)`.
 */
export function ownPasswordStatement(
  version: ServerVersion,
  newPassword: string,
  currentPassword: string,
  mode: LiteralMode,
  plugin?: string,
): string {
  if (version.family === 'mariadb') {
    const hash = plugin === undefined ? undefined : storedPasswordHash('mariadb', plugin, newPassword);
    if (hash !== undefined) return `SET PASSWORD = ${quoteLiteral(hash, mode)}`;
    return `SET PASSWORD = PASSWORD(${quoteLiteral(newPassword, mode)})`;
  }
  if (!versionAtLeast(version, 5, 7, 6)) return `SET PASSWORD = PASSWORD(${quoteLiteral(newPassword, mode)})`;
  const replace = versionAtLeast(version, 8, 0, 13) ? ` REPLACE ${quoteLiteral(currentPassword, mode)}` : '';
  return `ALTER USER CURRENT_USER() IDENTIFIED BY ${quoteLiteral(newPassword, mode)}${replace}`;
}

/**
 * The plugin named by a MariaDB `SHOW CREATE USER` row: `IDENTIFIED VIA <plugin>`, or
 * `IDENTIFIED BY PASSWORD` for mysql_native_password. Undefined when the account has several
 * (`VIA a OR b`) or none, so the caller falls back to letting the server hash.
 */
export function pluginFromCreateUser(createUser: string): string | undefined {
  // String literals (hashes, TLS subjects) are blanked first so that their text cannot match.
  const bare = createUser.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  if (/\bIDENTIFIED\s+BY\s+PASSWORD\b/i.test(bare)) return 'mysql_native_password';
  const via = /\bIDENTIFIED\s+VIA\s+`?(\w+)`?(?:\s+USING\s+(?:''|\w+\(''\)))?(\s+OR\b)?/i.exec(bare);
  if (via === null || via[2] !== undefined) return undefined;
  return via[1];
}

/** Plugins whose accounts have a password Rotor can set. */
const PASSWORD_PLUGINS: Record<ServerFamily, readonly string[]> = {
  mysql: ['mysql_native_password', 'caching_sha2_password', 'sha256_password'],
  mariadb: ['mysql_native_password', 'ed25519', 'parsec'],
};

export function isPasswordPlugin(version: ServerVersion, plugin: string): boolean {
  // MariaDB leaves `plugin` empty for accounts made with PASSWORD() before 10.4.
  if (version.family === 'mariadb' && plugin === '') return true;
  return PASSWORD_PLUGINS[version.family].includes(plugin);
}

/**
 * A hash as the AS clause takes it: MySQL 8.0.17+ reads a hex literal (the caching_sha2_password
 * salt may hold any byte but `$` and NUL), earlier servers a string literal.
 */
function hashLiteral(version: ServerVersion, hash: string, mode: LiteralMode): string {
  if (version.family === 'mysql' && versionAtLeast(version, 8, 0, 17)) {
    return `0x${Buffer.from(hash, 'latin1').toString('hex').toUpperCase()}`;
  }
  return quoteLiteral(hash, mode);
}

/**
 * `IDENTIFIED ...` for `plugin`: with the stored hash where Rotor computes it (MariaDB
 * `VIA <plugin> USING '<hash>'`, MySQL 5.7.6+ `WITH <plugin> AS <hash>`), else with the password.
 */
function pluginClause(version: ServerVersion, plugin: string, password: string, mode: LiteralMode): string {
  if (version.family === 'mariadb') {
    const via = plugin === '' ? 'mysql_native_password' : plugin;
    const hash = storedPasswordHash('mariadb', via, password);
    if (hash !== undefined) return `IDENTIFIED VIA ${quoteIdentifier(via)} USING ${quoteLiteral(hash, mode)}`;
    return `IDENTIFIED VIA ${quoteIdentifier(via)} USING PASSWORD(${quoteLiteral(password, mode)})`;
  }
  const hash = versionAtLeast(version, 5, 7, 6) ? storedPasswordHash('mysql', plugin, password) : undefined;
  if (hash !== undefined)
    return `IDENTIFIED WITH ${quoteIdentifier(plugin)} AS ${hashLiteral(version, hash, mode)}`;
  return `IDENTIFIED WITH ${quoteIdentifier(plugin)} BY ${quoteLiteral(password, mode)}`;
}

/** Creates an account with the given authentication plugin and password. */
export function createUserStatement(
  version: ServerVersion,
  account: Account,
  plugin: string,
  password: string,
  mode: LiteralMode,
): string {
  return `CREATE USER ${quoteAccount(account)} ${pluginClause(version, plugin, password, mode)}`;
}

/**
 * Sets another account's password as the superuser. With `plugin` the account is also moved to
 * that plugin (the clone follows the original's); without it the account keeps its own, which
 * `currentPlugin` names so that its hash can be sent instead of the password.
 */
export function setPasswordStatement(
  version: ServerVersion,
  account: Account,
  password: string,
  mode: LiteralMode,
  plugin?: string,
  currentPlugin?: string,
): string {
  if (plugin !== undefined)
    return `ALTER USER ${quoteAccount(account)} ${pluginClause(version, plugin, password, mode)}`;
  const hash =
    currentPlugin === undefined ? undefined : storedPasswordHash(version.family, currentPlugin, password);
  if (version.family === 'mariadb') {
    if (hash !== undefined) return `SET PASSWORD FOR ${quoteAccount(account)} = ${quoteLiteral(hash, mode)}`;
    return `SET PASSWORD FOR ${quoteAccount(account)} = PASSWORD(${quoteLiteral(password, mode)})`;
  }
  if (!versionAtLeast(version, 5, 7, 6))
    return `SET PASSWORD FOR ${quoteAccount(account)} = PASSWORD(${quoteLiteral(password, mode)})`;
  if (hash !== undefined && currentPlugin !== undefined) {
    return `ALTER USER ${quoteAccount(account)} ${pluginClause(version, currentPlugin, password, mode)}`;
  }
  return `ALTER USER ${quoteAccount(account)} IDENTIFIED BY ${quoteLiteral(password, mode)}`;
}

// ---------------------------------------------------------------------------------------------
// Account settings kept in mysql.user: TLS requirements and resource limits

export interface AccountSettings {
  /** mysql.user.ssl_type: '' (none), ANY, X509 or SPECIFIED. */
  readonly sslType: string;
  readonly sslCipher: string;
  readonly x509Issuer: string;
  readonly x509Subject: string;
  readonly maxQuestions: number;
  readonly maxUpdates: number;
  readonly maxConnections: number;
  readonly maxUserConnections: number;
  /** MariaDB only (seconds, 0 = none). */
  readonly maxStatementTime?: number;
}

export function requireClause(settings: AccountSettings, mode: LiteralMode): string {
  switch (settings.sslType.toUpperCase()) {
    case '':
      return 'REQUIRE NONE';
    case 'ANY':
      return 'REQUIRE SSL';
    case 'X509':
      return 'REQUIRE X509';
    case 'SPECIFIED': {
      const parts: string[] = [];
      if (settings.x509Issuer) parts.push(`ISSUER ${quoteLiteral(settings.x509Issuer, mode)}`);
      if (settings.x509Subject) parts.push(`SUBJECT ${quoteLiteral(settings.x509Subject, mode)}`);
      if (settings.sslCipher) parts.push(`CIPHER ${quoteLiteral(settings.sslCipher, mode)}`);
      return parts.length === 0 ? 'REQUIRE SSL' : `REQUIRE ${parts.join(' AND ')}`;
    }
    default:
      throw new MysqlServerReplyError(`unknown ssl_type ${JSON.stringify(settings.sslType)} in mysql.user`);
  }
}

function limitsClause(settings: AccountSettings): string {
  const limits = [
    `MAX_QUERIES_PER_HOUR ${settings.maxQuestions}`,
    `MAX_UPDATES_PER_HOUR ${settings.maxUpdates}`,
    `MAX_CONNECTIONS_PER_HOUR ${settings.maxConnections}`,
    `MAX_USER_CONNECTIONS ${settings.maxUserConnections}`,
  ];
  if (settings.maxStatementTime !== undefined) limits.push(`MAX_STATEMENT_TIME ${settings.maxStatementTime}`);
  return `WITH ${limits.join(' ')}`;
}

function sameTls(a: AccountSettings, b: AccountSettings): boolean {
  return (
    a.sslType.toUpperCase() === b.sslType.toUpperCase() &&
    a.sslCipher === b.sslCipher &&
    a.x509Issuer === b.x509Issuer &&
    a.x509Subject === b.x509Subject
  );
}

function sameLimits(a: AccountSettings, b: AccountSettings): boolean {
  return (
    a.maxQuestions === b.maxQuestions &&
    a.maxUpdates === b.maxUpdates &&
    a.maxConnections === b.maxConnections &&
    a.maxUserConnections === b.maxUserConnections &&
    (a.maxStatementTime ?? 0) === (b.maxStatementTime ?? 0)
  );
}

/** `ALTER USER` statements that give `target` the TLS requirements and limits of `source`. */
export function accountSettingsStatements(
  target: Account,
  source: AccountSettings,
  current: AccountSettings,
  mode: LiteralMode,
): string[] {
  const out: string[] = [];
  if (!sameTls(source, current))
    out.push(`ALTER USER ${quoteAccount(target)} ${requireClause(source, mode)}`);
  if (!sameLimits(source, current)) out.push(`ALTER USER ${quoteAccount(target)} ${limitsClause(source)}`);
  return out;
}
