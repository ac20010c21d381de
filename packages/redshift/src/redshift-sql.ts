import { createHash } from 'node:crypto';
import { RedshiftStatementError } from './errors';

/** Redshift identifiers are 1 to 127 bytes of UTF-8; a longer name is refused, not truncated. */
export const MAX_IDENTIFIER_BYTES = 127;

/**
 * Always double-quotes, doubling inner quotes: keeps spaces, keywords and quotes intact without a
 * keyword list. Redshift folds ASCII letters to lower case even inside quotes (unless
 * `enable_case_sensitive_identifier`), so quoting never creates a second, differently cased user.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new RedshiftStatementError('an identifier cannot be empty');
  if (name.includes('\0')) throw new RedshiftStatementError('an identifier cannot contain a NUL character');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw new RedshiftStatementError(
      `the name is ${bytes} bytes long; Redshift identifiers are at most ${MAX_IDENTIFIER_BYTES} bytes`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal with quotes doubled. A backslash is an escape character inside Redshift
 * literals but not inside PostgreSQL's (standard_conforming_strings), so no single form means the
 * same on both: values with one are refused. Rotor's own literals (md5 hashes) are hex.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0'))
    throw new RedshiftStatementError('a string literal cannot contain a NUL character');
  if (value.includes('\\')) {
    throw new RedshiftStatementError(
      'a string literal with a backslash is refused (Redshift reads it as an escape)',
    );
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The name as Redshift stores it: ASCII letters folded to lower case, as for every identifier
 * (Redshift's default; a cluster with `enable_case_sensitive_identifier` keeps case, which the
 * engine handles by reading the stored name back).
 */
export function foldedName(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * What Redshift derives from a clear-text password and stores: `md5` + hex(md5(password ‖ user)),
 * the user name exactly as stored. Sending this instead of the password keeps the password out of
 * statement text (STL_QUERY, STL_DDLTEXT) and never selects the `sha256|` form, after which the
 * server may ask clients for an authentication method `pg` does not speak.
 */
export function md5PasswordHash(password: string, storedUsername: string): string {
  return `md5${createHash('md5').update(`${password}${storedUsername}`, 'utf8').digest('hex')}`;
}

/** `ALTER USER "<user>" PASSWORD 'md5…'`. */
export function alterUserPasswordStatement(user: string, md5Hash: string): string {
  return `ALTER USER ${quoteIdent(user)} PASSWORD ${quoteLiteral(checkedHash(md5Hash))}`;
}

/** `CREATE USER "<user>" PASSWORD 'md5…'`: no attribute, no grant; the sync adds those. */
export function createUserStatement(user: string, md5Hash: string): string {
  return `CREATE USER ${quoteIdent(user)} PASSWORD ${quoteLiteral(checkedHash(md5Hash))}`;
}

function checkedHash(hash: string): string {
  if (!/^md5[0-9a-f]{32}$/.test(hash))
    throw new RedshiftStatementError('a password must be sent as an md5 hash');
  return hash;
}

/** `ALTER GROUP "<group>" ADD USER "<user>"` (or DROP). */
export function groupMembershipStatement(group: string, user: string, add: boolean): string {
  return `ALTER GROUP ${quoteIdent(group)} ${add ? 'ADD' : 'DROP'} USER ${quoteIdent(user)}`;
}

/** `GRANT ROLE "<role>" TO "<user>" [WITH ADMIN OPTION]`, or the REVOKE. */
export function roleGrantStatement(role: string, user: string, grant: boolean, adminOption: boolean): string {
  return grant
    ? `GRANT ROLE ${quoteIdent(role)} TO ${quoteIdent(user)}${adminOption ? ' WITH ADMIN OPTION' : ''}`
    : `REVOKE ${adminOption ? 'ADMIN OPTION FOR ' : ''}ROLE ${quoteIdent(role)} FROM ${quoteIdent(user)}`;
}

/** Objects a user can hold direct privileges on, as the SVV_*_PRIVILEGES views list them. */
export type GrantObject =
  | { readonly kind: 'database'; readonly name: string }
  | { readonly kind: 'schema'; readonly name: string }
  | { readonly kind: 'table'; readonly schema: string; readonly name: string }
  | {
      readonly kind: 'function' | 'procedure';
      readonly schema: string;
      readonly name: string;
      /** As the catalog spells them, e.g. `integer, character varying`. */
      readonly argumentTypes: string;
    };

const PRIVILEGES: Readonly<Record<GrantObject['kind'], ReadonlySet<string>>> = {
  database: new Set(['CREATE', 'TEMP', 'TEMPORARY', 'USAGE', 'ALTER', 'DROP', 'CONNECT']),
  schema: new Set(['CREATE', 'USAGE', 'ALTER', 'DROP']),
  table: new Set([
    'SELECT',
    'INSERT',
    'UPDATE',
    'DELETE',
    'REFERENCES',
    'DROP',
    'ALTER',
    'TRUNCATE',
    'TRIGGER',
  ]),
  function: new Set(['EXECUTE']),
  procedure: new Set(['EXECUTE']),
};

/** Argument type lists from the catalog: type names, commas, spaces, precision, arrays, quoted names. */
const ARGUMENT_TYPES = /^[A-Za-z0-9_ ,.()[\]"]*$/;

/** The `ON …` part of GRANT and REVOKE. */
export function grantTarget(object: GrantObject): string {
  switch (object.kind) {
    case 'database':
      return `DATABASE ${quoteIdent(object.name)}`;
    case 'schema':
      return `SCHEMA ${quoteIdent(object.name)}`;
    case 'table':
      return `TABLE ${quoteIdent(object.schema)}.${quoteIdent(object.name)}`;
    case 'function':
    case 'procedure': {
      if (!ARGUMENT_TYPES.test(object.argumentTypes) || object.argumentTypes.includes('--')) {
        throw new RedshiftStatementError(
          `the argument types of ${object.kind} ${JSON.stringify(`${object.schema}.${object.name}`)} contain characters Rotor does not put into a statement`,
        );
      }
      const keyword = object.kind === 'function' ? 'FUNCTION' : 'PROCEDURE';
      return `${keyword} ${quoteIdent(object.schema)}.${quoteIdent(object.name)}(${object.argumentTypes})`;
    }
  }
}

/** Upper-cased privilege, checked against what the object kind has (it goes into SQL unquoted). */
export function checkedPrivilege(kind: GrantObject['kind'], privilege: string): string {
  const upper = privilege.trim().toUpperCase();
  if (!PRIVILEGES[kind].has(upper)) {
    throw new RedshiftStatementError(`unknown privilege ${JSON.stringify(privilege)} on a ${kind}`);
  }
  return upper;
}

/** `GRANT <privs> ON <object> TO "<user>" [WITH GRANT OPTION]`: one object (so one database) per statement. */
export function grantStatement(
  object: GrantObject,
  privileges: readonly string[],
  user: string,
  grantOption: boolean,
): string {
  const list = privileges.map((p) => checkedPrivilege(object.kind, p)).join(', ');
  return `GRANT ${list} ON ${grantTarget(object)} TO ${quoteIdent(user)}${grantOption ? ' WITH GRANT OPTION' : ''}`;
}

/** `REVOKE [GRANT OPTION FOR] <privs> ON <object> FROM "<user>"`. */
export function revokeStatement(
  object: GrantObject,
  privileges: readonly string[],
  user: string,
  grantOptionOnly: boolean,
): string {
  const list = privileges.map((p) => checkedPrivilege(object.kind, p)).join(', ');
  return `REVOKE ${grantOptionOnly ? 'GRANT OPTION FOR ' : ''}${list} ON ${grantTarget(object)} FROM ${quoteIdent(user)}`;
}

/** User attributes the clone copies from the original. */
export interface UserAttributes {
  readonly createdb: boolean;
  /** `RESTRICTED` or `UNRESTRICTED`. */
  readonly syslogAccess: 'RESTRICTED' | 'UNRESTRICTED';
  /** Undefined: unlimited. */
  readonly connectionLimit?: number;
  /** Seconds; undefined: none (the cluster's default applies). */
  readonly sessionTimeout?: number;
}

/** The `ALTER USER` statements that turn `from` into `to`, one attribute per statement. */
export function attributeStatements(user: string, from: UserAttributes, to: UserAttributes): string[] {
  const name = quoteIdent(user);
  const out: string[] = [];
  if (from.createdb !== to.createdb)
    out.push(`ALTER USER ${name} ${to.createdb ? 'CREATEDB' : 'NOCREATEDB'}`);
  if (from.syslogAccess !== to.syslogAccess) out.push(`ALTER USER ${name} SYSLOG ACCESS ${to.syslogAccess}`);
  if (from.connectionLimit !== to.connectionLimit) {
    out.push(
      `ALTER USER ${name} CONNECTION LIMIT ${to.connectionLimit === undefined ? 'UNLIMITED' : checkedCount(to.connectionLimit)}`,
    );
  }
  if (from.sessionTimeout !== to.sessionTimeout) {
    out.push(
      to.sessionTimeout === undefined
        ? `ALTER USER ${name} RESET SESSION TIMEOUT`
        : `ALTER USER ${name} SESSION TIMEOUT ${checkedCount(to.sessionTimeout)}`,
    );
  }
  return out;
}

function checkedCount(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RedshiftStatementError(`not a valid count: ${value}`);
  return value;
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * `ALTER USER "<user>" SET <name> = '<v1>', '<v2>'`: each element of the stored value becomes a
 * string literal, never pasted, since the original user may be able to set its own values.
 */
export function setUserSettingStatement(user: string, name: string, value: string): string {
  const values = splitSettingValue(value).map(quoteLiteral);
  return `ALTER USER ${quoteIdent(user)} SET ${checkedSettingName(name)} = ${values.length === 0 ? "''" : values.join(', ')}`;
}

/** `ALTER USER "<user>" RESET <name>`. */
export function resetUserSettingStatement(user: string, name: string): string {
  return `ALTER USER ${quoteIdent(user)} RESET ${checkedSettingName(name)}`;
}

function checkedSettingName(name: string): string {
  if (!SETTING_NAME.test(name))
    throw new RedshiftStatementError(`not a configuration parameter name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Splits a stored setting value (`"$user", public`) at commas outside double quotes; a quoted
 * element loses its quotes (and doubled quotes inside become one).
 */
export function splitSettingValue(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        current += '"';
        i++;
      } else {
        quoted = !quoted;
        wasQuoted = true;
      }
    } else if (c === ',' && !quoted) {
      out.push(wasQuoted ? current : current.trim());
      current = '';
      wasQuoted = false;
    } else if (!quoted && (c === ' ' || c === '\t') && current === '') {
      // Leading blanks after a comma.
    } else {
      current += c;
    }
  }
  if (quoted) throw new RedshiftStatementError('a stored setting value has an unbalanced double quote');
  if (current !== '' || wasQuoted || out.length > 0) out.push(wasQuoted ? current : current.trim());
  return out;
}

/**
 * Reads `useconfig` entries (`name=value`) into a map. The driver gives a text[] as an array, or as
 * its text form `{a=1,"b=x, y"}` when the server reports an unknown type.
 */
export function parseUserConfig(raw: unknown): Map<string, string> {
  const entries = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? parseTextArray(raw) : [];
  const settings = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new RedshiftStatementError(`an unreadable user setting: ${JSON.stringify(entry)}`);
    settings.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return settings;
}

function parseTextArray(text: string): string[] {
  const body = text.trim();
  if (body === '' || body === '{}') return [];
  if (!body.startsWith('{') || !body.endsWith('}')) {
    throw new RedshiftStatementError('user settings are not an array');
  }
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 1; i < body.length - 1; i++) {
    const c = body[i] as string;
    if (quoted && c === '\\') {
      current += body[++i] ?? '';
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}
