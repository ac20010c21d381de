import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { PostgresStatementError } from './errors';
import { saslprep } from './saslprep';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
export const MAX_IDENTIFIER_BYTES = 63;
/** PostgreSQL's default `scram_iterations` (and the only value before PostgreSQL 16). */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;

/**
 * Quotes an identifier the way the server's `quote_ident` does when quoting is needed, but always
 * quotes: a quoted lowercase name means the same as the bare one, and always quoting keeps mixed
 * case, spaces and keywords intact without a keyword list. Names longer than 63 bytes are refused
 * rather than letting the server truncate them into another role's name.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new PostgresStatementError('an identifier cannot be empty');
  if (name.includes('\0')) throw new PostgresStatementError('an identifier cannot contain a NUL character');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw new PostgresStatementError(
      `the name is ${bytes} bytes long; PostgreSQL would truncate it to ${MAX_IDENTIFIER_BYTES} bytes`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal exactly as the server's `quote_literal`: quotes doubled, and when a
 * backslash is present, backslashes doubled inside an `E'...'` literal. The E form reads the same
 * whatever `standard_conforming_strings` is, so the result never depends on session settings.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0'))
    throw new PostgresStatementError('a string literal cannot contain a NUL character');
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores in `pg_authid.rolpassword` for `password`
 * (RFC 5802 / RFC 7677, formatted as the server's `scram_build_secret`):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64. The password goes
 * through SASLprep first, as the server does (see saslprep.ts for the limits).
 */
export function scramSha256Verifier(
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): string {
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new PostgresStatementError('SCRAM iterations must be positive');
  if (salt.length === 0) throw new PostgresStatementError('a SCRAM salt cannot be empty');
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * The MD5 verifier PostgreSQL stores when `password_encryption = md5`: `md5` followed by the hex
 * MD5 of the password and the role name (the role name is the salt, so it must be exact).
 */
export function md5Verifier(password: string, username: string): string {
  return `md5${createHash('md5').update(`${password}${username}`, 'utf8').digest('hex')}`;
}

/** How the password reaches the server in `ALTER ROLE ... PASSWORD`. */
export type PasswordFormat = 'scram-sha-256' | 'md5' | 'plaintext';

export interface ServerPasswordFacts {
  /** `server_version_num`, e.g. 170006. */
  readonly versionNum: number;
  /** `SHOW password_encryption` in the session that will change the password. */
  readonly passwordEncryption: string;
  /** `SHOW scram_iterations` (PostgreSQL 16+); undefined before. */
  readonly scramIterations?: number;
}

/**
 * Which form of the password to send. The server stores a verifier it receives unchanged, so
 * sending one keeps the plaintext out of server logs (`log_statement`), `pg_stat_statements`
 * and `pg_stat_activity`, the way psql's `\password` does.
 * - SCRAM (PostgreSQL 10+) when the server would itself store SCRAM.
 * - MD5 when the server is set to store MD5 (`md5`, or `on` before 14): the operator chose MD5,
 *   usually for clients without SCRAM, and a SCRAM verifier would lock those clients out.
 * - Plaintext only for a `password_encryption` value Rotor does not know (a PostgreSQL-compatible
 *   server, or a future setting): the server then applies its own policy, which beats guessing.
 */
export function passwordFormatFor(facts: ServerPasswordFacts): PasswordFormat {
  const setting = facts.passwordEncryption.trim().toLowerCase();
  if (setting === 'scram-sha-256' && facts.versionNum >= 100000) return 'scram-sha-256';
  if (setting === 'md5' || setting === 'on') return 'md5';
  // Before 10, `off` asked the server to store plaintext; MD5 is what every 9.x server accepts and
  // storing plaintext is never wanted.
  if (setting === 'off' && facts.versionNum < 100000) return 'md5';
  return 'plaintext';
}

/** The string that goes between the quotes of `PASSWORD '...'` for the chosen format. */
export function passwordForServer(
  password: string,
  username: string,
  format: PasswordFormat,
  scramIterations: number = DEFAULT_SCRAM_ITERATIONS,
): string {
  switch (format) {
    case 'scram-sha-256':
      return scramSha256Verifier(password, { iterations: scramIterations });
    case 'md5':
      return md5Verifier(password, username);
    case 'plaintext':
      return password;
  }
}

/** `ALTER ROLE <role> WITH PASSWORD <literal>`; `secret` is a verifier or, rarely, the plaintext. */
export function alterRolePasswordStatement(role: string, secret: string): string {
  return `ALTER ROLE ${quoteIdent(role)} WITH PASSWORD ${quoteLiteral(secret)}`;
}

/** `CREATE ROLE <role> WITH LOGIN PASSWORD <literal>`. */
export function createLoginRoleStatement(role: string, secret: string): string {
  return `CREATE ROLE ${quoteIdent(role)} WITH LOGIN PASSWORD ${quoteLiteral(secret)}`;
}

/** `ALTER ROLE <role> WITH LOGIN`. */
export function allowLoginStatement(role: string): string {
  return `ALTER ROLE ${quoteIdent(role)} WITH LOGIN`;
}

/**
 * `GRANT <group> TO <member>`. From PostgreSQL 16 the membership's INHERIT and SET options are
 * spelled out: SET is what lets the member's sessions run as the group (see `setRoleStatement`),
 * and re-granting with options updates a membership created with other ones.
 */
export function grantMembershipStatement(group: string, member: string, versionNum: number): string {
  const options = versionNum >= 160000 ? ' WITH INHERIT TRUE, SET TRUE' : '';
  return `GRANT ${quoteIdent(group)} TO ${quoteIdent(member)}${options}`;
}

/**
 * `ALTER ROLE <member> SET role = <literal>`: every session of `member` starts as if it ran
 * `SET ROLE <role>`. The value is a string literal (not an identifier) because the `role` setting
 * holds the exact role name: no case folding, any character.
 */
export function setRoleStatement(member: string, role: string): string {
  return `ALTER ROLE ${quoteIdent(member)} SET role = ${quoteLiteral(role)}`;
}

/** The `pg_db_role_setting.setconfig` entry that `setRoleStatement` creates. */
export function roleSettingEntry(role: string): string {
  return `role=${role}`;
}
