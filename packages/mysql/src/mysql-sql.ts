// Pure SQL text for MySQL and MariaDB: quoting, server version detection, SHOW GRANTS parsing,
// the grant difference between two accounts, and the statements that apply it. No I/O here.
//
// Account-management statements (CREATE USER, ALTER USER, GRANT, SET PASSWORD) take no bind
// parameters, so names and passwords are written into the text. Names are always backtick-quoted
// (backslash has no meaning inside backticks in any sql_mode), and string literals are escaped for
// the session's actual sql_mode (NO_BACKSLASH_ESCAPES changes what a backslash means).

/** A MySQL account `user@host`; a MariaDB role has no host. */
export interface Account {
  readonly user: string;
  readonly host?: string;
}

// ---------------------------------------------------------------------------------------------
// Quoting

/** `name` as a backtick-quoted identifier; a backtick inside is doubled. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('identifiers cannot contain a NUL character');
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
  if (!match) throw new Error(`cannot read the server version from ${JSON.stringify(text)}`);
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
 * The statement with which the logged-in user sets its own password.
 *
 * MariaDB: `SET PASSWORD = PASSWORD(...)`, because it hashes for the account's own plugin
 * (mysql_native_password or ed25519) from 10.4 on, whereas `ALTER USER ... IDENTIFIED BY` would
 * switch an ed25519 account to mysql_native_password.
 * MySQL 5.7.6+: `ALTER USER CURRENT_USER() IDENTIFIED BY ...`, which keeps the account's plugin;
 * from 8.0.13 with `REPLACE <current>`, so accounts with password_require_current still rotate.
 * Older MySQL: `SET PASSWORD = PASSWORD(...)`.
 */
export function ownPasswordStatement(
  version: ServerVersion,
  newPassword: string,
  currentPassword: string,
  mode: LiteralMode,
): string {
  if (version.family === 'mariadb') return `SET PASSWORD = PASSWORD(${quoteLiteral(newPassword, mode)})`;
  if (!versionAtLeast(version, 5, 7, 6)) return `SET PASSWORD = PASSWORD(${quoteLiteral(newPassword, mode)})`;
  const replace = versionAtLeast(version, 8, 0, 13) ? ` REPLACE ${quoteLiteral(currentPassword, mode)}` : '';
  return `ALTER USER CURRENT_USER() IDENTIFIED BY ${quoteLiteral(newPassword, mode)}${replace}`;
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

function pluginClause(version: ServerVersion, plugin: string, password: string, mode: LiteralMode): string {
  if (version.family === 'mariadb') {
    const via = plugin === '' ? 'mysql_native_password' : plugin;
    return `IDENTIFIED VIA ${quoteIdentifier(via)} USING PASSWORD(${quoteLiteral(password, mode)})`;
  }
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
 * that plugin (the clone follows the original's); without it the account keeps its own.
 */
export function setPasswordStatement(
  version: ServerVersion,
  account: Account,
  password: string,
  mode: LiteralMode,
  plugin?: string,
): string {
  if (plugin !== undefined)
    return `ALTER USER ${quoteAccount(account)} ${pluginClause(version, plugin, password, mode)}`;
  if (version.family === 'mariadb')
    return `SET PASSWORD FOR ${quoteAccount(account)} = PASSWORD(${quoteLiteral(password, mode)})`;
  if (!versionAtLeast(version, 5, 7, 6))
    return `SET PASSWORD FOR ${quoteAccount(account)} = PASSWORD(${quoteLiteral(password, mode)})`;
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
      throw new Error(`unknown ssl_type ${JSON.stringify(settings.sslType)} in mysql.user`);
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

// ---------------------------------------------------------------------------------------------
// SHOW GRANTS parsing

/** Where a privilege applies. `objectType` is set for routines (PROCEDURE, FUNCTION, PACKAGE ...). */
export type PrivilegeLevel =
  | { readonly kind: 'global' }
  | { readonly kind: 'database'; readonly database: string }
  | {
      readonly kind: 'object';
      readonly database: string;
      readonly name: string;
      readonly objectType?: string;
    };

/** One privilege on one level (and column), as granted. */
export interface PrivilegeGrant {
  readonly level: PrivilegeLevel;
  /** Upper case, words single-spaced: `SELECT`, `ALL PRIVILEGES`, `BACKUP_ADMIN`, `USAGE`. */
  readonly privilege: string;
  readonly column?: string;
  /** The line said WITH GRANT OPTION (per level for static privileges, per privilege for MySQL 8 dynamic ones). */
  readonly grantOption: boolean;
}

export interface RoleGrant {
  readonly role: Account;
  readonly adminOption: boolean;
}

export interface ProxyGrant {
  readonly proxied: Account;
  readonly grantOption: boolean;
}

export interface UserGrants {
  readonly privileges: readonly PrivilegeGrant[];
  /** MySQL 8 partial revokes (`REVOKE INSERT ON db.* FROM u`, with partial_revokes=ON). */
  readonly partialRevokes: readonly PrivilegeGrant[];
  readonly roles: readonly RoleGrant[];
  readonly proxies: readonly ProxyGrant[];
  /** MariaDB lists `SET DEFAULT ROLE r FOR u`; MySQL keeps default roles in mysql.default_roles. */
  readonly defaultRoles: readonly Account[];
}

export class GrantParseError extends Error {
  override readonly name = 'GrantParseError';
}

type Token =
  | { readonly type: 'word'; readonly value: string; readonly start: number }
  | { readonly type: 'ident'; readonly value: string; readonly start: number }
  | { readonly type: 'string'; readonly value: string; readonly start: number }
  | { readonly type: 'punct'; readonly value: string; readonly start: number };

const WORD = /[A-Za-z0-9_$]/;

/** Reads SHOW GRANTS text token by token; `pos` may be moved to re-read raw text. */
class GrantLexer {
  pos = 0;
  constructor(readonly text: string) {}

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): Token | undefined {
    const saved = this.pos;
    const token = this.next();
    this.pos = saved;
    return token;
  }

  next(): Token | undefined {
    this.skipSpace();
    const { text } = this;
    const start = this.pos;
    const c = text[start];
    if (c === undefined) return undefined;
    if (c === '`' || c === "'" || c === '"') {
      let value = '';
      let i = start + 1;
      for (;;) {
        const ch = text[i];
        if (ch === undefined) throw new GrantParseError('unterminated quoted name');
        if (ch === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          break;
        }
        // Inside string literals the server may write \' and \\; names in backticks are verbatim.
        if (ch === '\\' && c !== '`' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      this.pos = i + 1;
      return { type: c === '`' ? 'ident' : 'string', value, start };
    }
    if (WORD.test(c)) {
      let i = start;
      while (i < text.length && WORD.test(text[i] as string)) i++;
      this.pos = i;
      return { type: 'word', value: text.slice(start, i), start };
    }
    this.pos = start + 1;
    return { type: 'punct', value: c, start };
  }
}

const isWord = (t: Token | undefined, ...values: string[]): boolean =>
  t !== undefined && t.type === 'word' && values.includes(t.value.toUpperCase());
const isPunct = (t: Token | undefined, value: string): boolean =>
  t !== undefined && t.type === 'punct' && t.value === value;

const ROUTINE_TYPES = ['PROCEDURE', 'FUNCTION', 'PACKAGE'];

/**
 * Parses the rows of `SHOW GRANTS FOR <grantee>`: MySQL 5.7 (`'u'@'h'` grantees), 8.0 / 8.4 / 9.x
 * (backticks, dynamic privileges, roles, partial revokes) and MariaDB 10.x / 11.x (roles without
 * hosts, `SET DEFAULT ROLE`, `IDENTIFIED ...`, `REQUIRE ...` and limits on the USAGE row).
 *
 * `grantee` is the account asked about: MySQL 5.7 writes the grantee between single quotes without
 * escaping, so a name with a quote in it can only be skipped by knowing it. A row that cannot be
 * understood throws: silently missing a privilege would make the clone differ from the original.
 * Error messages never quote the row (it can hold a password hash).
 */
export function parseShowGrants(rows: readonly string[], grantee?: Account): UserGrants {
  const privileges: PrivilegeGrant[] = [];
  const partialRevokes: PrivilegeGrant[] = [];
  const roles: RoleGrant[] = [];
  const proxies: ProxyGrant[] = [];
  const defaultRoles: Account[] = [];

  rows.forEach((row, index) => {
    const lexer = new GrantLexer(row);
    const fail = (problem: string) =>
      new GrantParseError(`SHOW GRANTS row ${index + 1} could not be read: ${problem}`);
    try {
      const first = lexer.next();
      if (isWord(first, 'GRANT')) {
        const head = lexer.peek();
        if (head?.type === 'ident' || head?.type === 'string') {
          const granted = parseAccountList(lexer);
          expectWord(lexer, 'TO');
          skipGrantee(lexer, grantee);
          const rest = restTokens(lexer);
          const adminOption = hasSequence(rest, 'ADMIN', 'OPTION');
          for (const role of granted) roles.push({ role, adminOption });
          return;
        }
        const names = parsePrivilegeList(lexer);
        expectWord(lexer, 'ON');
        if (names.length === 1 && names[0]?.privilege === 'PROXY') {
          const proxied = parseAccount(lexer);
          expectWord(lexer, 'TO');
          skipGrantee(lexer, grantee);
          proxies.push({ proxied, grantOption: hasSequence(restTokens(lexer), 'GRANT', 'OPTION') });
          return;
        }
        const level = parseLevel(lexer);
        expectWord(lexer, 'TO');
        skipGrantee(lexer, grantee);
        const grantOption = hasSequence(restTokens(lexer), 'GRANT', 'OPTION');
        for (const name of names) {
          // USAGE means "no privilege"; it only matters when it carries the grant option.
          if (name.privilege === 'USAGE' && !grantOption) continue;
          privileges.push({ level, ...name, grantOption });
        }
        return;
      }
      if (isWord(first, 'REVOKE')) {
        const names = parsePrivilegeList(lexer);
        expectWord(lexer, 'ON');
        const level = parseLevel(lexer);
        expectWord(lexer, 'FROM');
        skipGrantee(lexer, grantee);
        for (const name of names) partialRevokes.push({ level, ...name, grantOption: false });
        return;
      }
      if (isWord(first, 'SET')) {
        expectWord(lexer, 'DEFAULT');
        expectWord(lexer, 'ROLE');
        if (isWord(lexer.peek(), 'NONE')) return;
        defaultRoles.push(...parseAccountList(lexer));
        return;
      }
      throw fail(`unexpected first word ${first?.type === 'word' ? first.value : '(none)'}`);
    } catch (error) {
      if (error instanceof GrantParseError && !error.message.startsWith('SHOW GRANTS row')) {
        throw fail(error.message);
      }
      throw error;
    }
  });
  return { privileges, partialRevokes, roles, proxies, defaultRoles };
}

function expectWord(lexer: GrantLexer, word: string): void {
  const t = lexer.next();
  if (!isWord(t, word)) throw new GrantParseError(`expected ${word}`);
}

function parseName(lexer: GrantLexer): string {
  const t = lexer.next();
  if (t === undefined || t.type === 'punct') throw new GrantParseError('expected a name');
  return t.value;
}

function parseAccount(lexer: GrantLexer): Account {
  const user = parseName(lexer);
  if (isPunct(lexer.peek(), '@')) {
    lexer.next();
    return { user, host: parseName(lexer) };
  }
  return { user };
}

function parseAccountList(lexer: GrantLexer): Account[] {
  const accounts = [parseAccount(lexer)];
  while (isPunct(lexer.peek(), ',')) {
    lexer.next();
    accounts.push(parseAccount(lexer));
  }
  return accounts;
}

/** The ways a server may have written `grantee`; MySQL 5.7 pastes it between quotes unescaped. */
function granteeRenderings(grantee: Account): string[] {
  if (grantee.host === undefined) return [quoteIdentifier(grantee.user), `'${grantee.user}'`];
  const { user, host } = grantee;
  const doubled = (s: string) => s.replace(/'/g, "''");
  const backslashed = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return [
    quoteAccount(grantee),
    `'${user}'@'${host}'`,
    `'${doubled(user)}'@'${doubled(host)}'`,
    `'${backslashed(user)}'@'${backslashed(host)}'`,
  ];
}

function skipGrantee(lexer: GrantLexer, grantee: Account | undefined): void {
  if (grantee !== undefined) {
    lexer.atEnd();
    const rest = lexer.text.slice(lexer.pos);
    const found = granteeRenderings(grantee).find(
      (r) => rest.startsWith(r) && (rest.length === r.length || /\s/.test(rest[r.length] as string)),
    );
    if (found !== undefined) {
      lexer.pos += found.length;
      return;
    }
  }
  parseAccount(lexer);
}

function restTokens(lexer: GrantLexer): Token[] {
  const tokens: Token[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) tokens.push(t);
  return tokens;
}

function hasSequence(tokens: readonly Token[], a: string, b: string): boolean {
  return tokens.some((t, i) => isWord(t, a) && isWord(tokens[i + 1], b));
}

function parsePrivilegeList(lexer: GrantLexer): { privilege: string; column?: string }[] {
  const out: { privilege: string; column?: string }[] = [];
  for (;;) {
    const words: string[] = [];
    while (lexer.peek()?.type === 'word' && !isWord(lexer.peek(), 'ON')) {
      words.push((lexer.next() as Token).value.toUpperCase());
    }
    if (words.length === 0) throw new GrantParseError('expected a privilege name');
    const privilege = words.join(' ');
    if (isPunct(lexer.peek(), '(')) {
      lexer.next();
      for (const column of parseColumnList(lexer)) out.push({ privilege, column });
    } else {
      out.push({ privilege });
    }
    if (isPunct(lexer.peek(), ',')) {
      lexer.next();
      continue;
    }
    return out;
  }
}

/** `(`c1`, `c 2`)` in MySQL 8 and MariaDB; MySQL 5.7 writes the column names bare: `(c1, c 2)`. */
function parseColumnList(lexer: GrantLexer): string[] {
  const columns: string[] = [];
  for (;;) {
    lexer.atEnd();
    if (lexer.text[lexer.pos] === '`') {
      columns.push((lexer.next() as Token).value);
    } else {
      const { text } = lexer;
      let end = lexer.pos;
      while (end < text.length && text[end] !== ',' && text[end] !== ')') end++;
      const name = text.slice(lexer.pos, end).trim();
      if (name === '') throw new GrantParseError('empty column name');
      columns.push(name);
      lexer.pos = end;
    }
    const sep = lexer.next();
    if (isPunct(sep, ')')) return columns;
    if (!isPunct(sep, ',')) throw new GrantParseError('expected , or ) in a column list');
  }
}

function parseLevel(lexer: GrantLexer): PrivilegeLevel {
  let objectType: string | undefined;
  const t = lexer.peek();
  if (isWord(t, 'TABLE')) {
    lexer.next();
  } else if (t?.type === 'word' && ROUTINE_TYPES.includes(t.value.toUpperCase())) {
    lexer.next();
    objectType = t.value.toUpperCase();
    if (objectType === 'PACKAGE' && isWord(lexer.peek(), 'BODY')) {
      lexer.next();
      objectType = 'PACKAGE BODY';
    }
  }
  if (isPunct(lexer.peek(), '*')) {
    lexer.next();
    if (isPunct(lexer.peek(), '.')) {
      lexer.next();
      if (!isPunct(lexer.next(), '*')) throw new GrantParseError('expected *.*');
    }
    return { kind: 'global' };
  }
  const database = parseName(lexer);
  if (!isPunct(lexer.next(), '.')) throw new GrantParseError('expected database.object');
  if (isPunct(lexer.peek(), '*')) {
    lexer.next();
    return { kind: 'database', database };
  }
  const name = parseName(lexer);
  return objectType === undefined
    ? { kind: 'object', database, name }
    : { kind: 'object', database, name, objectType };
}

// ---------------------------------------------------------------------------------------------
// Rendering and comparing grants

export function renderLevel(level: PrivilegeLevel): string {
  switch (level.kind) {
    case 'global':
      return '*.*';
    case 'database':
      return `${quoteIdentifier(level.database)}.*`;
    case 'object': {
      const prefix = level.objectType === undefined ? '' : `${level.objectType} `;
      return `${prefix}${quoteIdentifier(level.database)}.${quoteIdentifier(level.name)}`;
    }
  }
}

function privilegeKey(grant: PrivilegeGrant, withOption: boolean): string {
  const column = grant.column === undefined ? '' : ` (${quoteIdentifier(grant.column)})`;
  return `${renderLevel(grant.level)}|${grant.privilege}${column}${withOption && grant.grantOption ? '|GO' : ''}`;
}

const accountKey = (a: Account): string => quoteAccount(a);

/** The GRANT / REVOKE statements that make `clone` hold what `original` holds, and a summary of each. */
export interface GrantPlan {
  readonly statements: readonly string[];
  /** Same order as statements; names only, for the log. */
  readonly changes: readonly string[];
}

/**
 * Computes the statements that turn the clone's grants into the original's. Revokes come first
 * (privileges the original lost), then grants, then partial revokes and default roles. A grant
 * option mismatch is fixed by revoking and re-granting. The caller re-reads SHOW GRANTS afterwards
 * and applies a second plan if overlapping privileges (ALL PRIVILEGES vs single ones) left a gap.
 */
export function planGrantSync(
  original: UserGrants,
  clone: UserGrants,
  cloneAccount: Account,
  family: ServerFamily,
): GrantPlan {
  const statements: string[] = [];
  const changes: string[] = [];
  const target = quoteAccount(cloneAccount);
  const add = (sql: string, change: string) => {
    statements.push(sql);
    changes.push(change);
  };

  // Privileges, compared as (level, privilege, column, grant option).
  const originalKeys = new Set(original.privileges.map((g) => privilegeKey(g, true)));
  const cloneKeys = new Set(clone.privileges.map((g) => privilegeKey(g, true)));
  const originalOptionLevels = new Set(
    original.privileges.filter((g) => g.grantOption).map((g) => renderLevel(g.level)),
  );

  const toRevoke = clone.privileges.filter((g) => !originalKeys.has(privilegeKey(g, true)));
  for (const [level, grants] of groupByLevel(toRevoke)) {
    const names = privilegeListText(grants.filter((g) => g.privilege !== 'USAGE'));
    const dropOption = grants.some((g) => g.grantOption) && !originalOptionLevels.has(level);
    if (dropOption) names.push('GRANT OPTION');
    if (names.length === 0) continue;
    add(`REVOKE ${names.join(', ')} ON ${level} FROM ${target}`, `revoked ${names.join(', ')} ON ${level}`);
  }

  const toGrant = original.privileges.filter((g) => !cloneKeys.has(privilegeKey(g, true)));
  for (const option of [false, true]) {
    for (const [level, grants] of groupByLevel(toGrant.filter((g) => g.grantOption === option))) {
      const names = privilegeListText(grants);
      const suffix = option ? ' WITH GRANT OPTION' : '';
      add(
        `GRANT ${names.join(', ')} ON ${level} TO ${target}${suffix}`,
        `granted ${names.join(', ')} ON ${level}${suffix}`,
      );
    }
  }

  // Roles (a change of ADMIN OPTION is a revoke and a grant).
  const roleKey = (r: RoleGrant) => `${accountKey(r.role)}|${r.adminOption}`;
  const originalRoles = new Set(original.roles.map(roleKey));
  const cloneRoles = new Set(clone.roles.map(roleKey));
  for (const r of clone.roles.filter((r) => !originalRoles.has(roleKey(r)))) {
    add(`REVOKE ${quoteAccount(r.role)} FROM ${target}`, `revoked role ${quoteAccount(r.role)}`);
  }
  for (const r of original.roles.filter((r) => !cloneRoles.has(roleKey(r)))) {
    const suffix = r.adminOption ? ' WITH ADMIN OPTION' : '';
    add(
      `GRANT ${quoteAccount(r.role)} TO ${target}${suffix}`,
      `granted role ${quoteAccount(r.role)}${suffix}`,
    );
  }

  // Proxy privileges.
  const proxyKey = (p: ProxyGrant) => `${accountKey(p.proxied)}|${p.grantOption}`;
  const originalProxies = new Set(original.proxies.map(proxyKey));
  const cloneProxies = new Set(clone.proxies.map(proxyKey));
  for (const p of clone.proxies.filter((p) => !originalProxies.has(proxyKey(p)))) {
    add(
      `REVOKE PROXY ON ${quoteAccount(p.proxied)} FROM ${target}`,
      `revoked PROXY ON ${quoteAccount(p.proxied)}`,
    );
  }
  for (const p of original.proxies.filter((p) => !cloneProxies.has(proxyKey(p)))) {
    const suffix = p.grantOption ? ' WITH GRANT OPTION' : '';
    add(
      `GRANT PROXY ON ${quoteAccount(p.proxied)} TO ${target}${suffix}`,
      `granted PROXY ON ${quoteAccount(p.proxied)}${suffix}`,
    );
  }

  // MySQL 8 partial revokes: after the global grants, so the restriction has something to restrict.
  const originalRevokes = new Set(original.partialRevokes.map((g) => privilegeKey(g, false)));
  const cloneRevokes = new Set(clone.partialRevokes.map((g) => privilegeKey(g, false)));
  for (const g of clone.partialRevokes.filter((g) => !originalRevokes.has(privilegeKey(g, false)))) {
    const level = renderLevel(g.level);
    add(
      `GRANT ${g.privilege} ON ${level} TO ${target}`,
      `lifted partial revoke of ${g.privilege} ON ${level}`,
    );
  }
  for (const g of original.partialRevokes.filter((g) => !cloneRevokes.has(privilegeKey(g, false)))) {
    const level = renderLevel(g.level);
    add(`REVOKE ${g.privilege} ON ${level} FROM ${target}`, `partially revoked ${g.privilege} ON ${level}`);
  }

  // Default roles, after the role grants they name.
  const wanted = original.defaultRoles.map(accountKey).sort();
  const have = clone.defaultRoles.map(accountKey).sort();
  if (wanted.join(',') !== have.join(',')) {
    const roles = wanted.length === 0 ? 'NONE' : wanted.join(', ');
    if (family === 'mariadb') {
      // MariaDB has a single default role per account.
      add(`SET DEFAULT ROLE ${wanted[0] ?? 'NONE'} FOR ${target}`, `default role ${wanted[0] ?? 'NONE'}`);
    } else {
      add(`SET DEFAULT ROLE ${roles} TO ${target}`, `default roles ${roles}`);
    }
  }
  return { statements, changes };
}

function groupByLevel(grants: readonly PrivilegeGrant[]): Map<string, PrivilegeGrant[]> {
  const groups = new Map<string, PrivilegeGrant[]>();
  for (const g of grants) {
    const level = renderLevel(g.level);
    const list = groups.get(level) ?? [];
    list.push(g);
    groups.set(level, list);
  }
  return groups;
}

/** `SELECT, INSERT (`c1`, `c2`)`: table-level names once, column names gathered per privilege. */
function privilegeListText(grants: readonly PrivilegeGrant[]): string[] {
  const plain: string[] = [];
  const columns = new Map<string, string[]>();
  for (const g of grants) {
    if (g.column === undefined) {
      if (!plain.includes(g.privilege)) plain.push(g.privilege);
    } else {
      const list = columns.get(g.privilege) ?? [];
      list.push(quoteIdentifier(g.column));
      columns.set(g.privilege, list);
    }
  }
  return [...plain, ...[...columns].map(([p, cols]) => `${p} (${cols.join(', ')})`)];
}

/** True when the two accounts hold the same privileges, roles, proxies, partial revokes and default roles. */
export function sameGrants(a: UserGrants, b: UserGrants, family: ServerFamily): boolean {
  return planGrantSync(a, b, { user: 'x', host: 'x' }, family).statements.length === 0;
}
