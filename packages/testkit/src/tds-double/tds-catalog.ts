/**
 * The TDS double's catalog model: the shapes of logins, roles, users and databases, the
 * double's T-SQL error, password hashing, and the fixed roles and permission names SQL Server has.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ServerMessage } from './tds-tokens';

/** A T-SQL error as SQL Server raises it: the number, state, severity and message text. */
export class TdsDoubleSqlError extends Error {
  override name = 'TdsDoubleSqlError';
  constructor(
    readonly number: number,
    message: string,
    readonly severity = 16,
    readonly state = 1,
  ) {
    super(message);
  }
  toServerMessage(): ServerMessage {
    return { number: this.number, state: this.state, severity: this.severity, message: this.message };
  }
}

export type PermissionState = 'G' | 'W' | 'D';

/** A permission row: class 100 server, 101 login, 105 endpoint; 0 database, 1 object/column, 3 schema, 4 principal. */
export interface PermissionEntry {
  readonly grantee: string;
  readonly permission: string;
  readonly state: PermissionState;
  readonly class: number;
  readonly schema?: string;
  readonly name?: string;
  readonly column?: string;
  /** USER / ROLE for class 4 (the securable principal's kind). */
  readonly principalType?: string;
}

export interface PasswordHash {
  readonly salt: string;
  readonly hash: string;
}

export function hashPassword(password: string): PasswordHash {
  const salt = randomBytes(8).toString('hex');
  return { salt, hash: createHash('sha256').update(salt).update(password, 'utf16le').digest('hex') };
}

export function passwordMatches(stored: PasswordHash | undefined, password: string): boolean {
  if (!stored) return false;
  const hash = createHash('sha256').update(stored.salt).update(password, 'utf16le').digest('hex');
  return hash === stored.hash;
}

export interface Login {
  name: string;
  readonly sid: number;
  /** S SQL login; U a Windows login (no password). */
  readonly type: 'S' | 'U';
  password?: PasswordHash;
  defaultDatabase: string;
  defaultLanguage: string;
  checkPolicy: boolean;
  checkExpiration: boolean;
  disabled: boolean;
}

export interface ServerRole {
  readonly name: string;
  readonly fixed: boolean;
  readonly members: Set<string>;
}

export interface DatabaseUser {
  readonly name: string;
  readonly principalId: number;
  /** The login's SID for a login-mapped user; undefined for a contained user. */
  readonly loginSid?: number;
  /** 1 INSTANCE (login), 2 DATABASE (contained, with password). */
  readonly authenticationType: 1 | 2;
  password?: PasswordHash;
  defaultSchema: string;
}

export interface Database {
  readonly name: string;
  readonly contained: boolean;
  /** The login that owns the database: its user is dbo. */
  owner: string;
  readonly users: Map<string, DatabaseUser>;
  readonly roles: Map<string, { readonly fixed: boolean; readonly members: Set<string> }>;
  permissions: PermissionEntry[];
  readonly schemas: Set<string>;
  readonly tables: Map<string, number[]>;
  nextPrincipalId: number;
}

export const FIXED_SERVER_ROLES = [
  'sysadmin',
  'securityadmin',
  'serveradmin',
  'setupadmin',
  'processadmin',
  'diskadmin',
  'dbcreator',
  'bulkadmin',
];
export const FIXED_DATABASE_ROLES = [
  'db_owner',
  'db_securityadmin',
  'db_accessadmin',
  'db_backupoperator',
  'db_ddladmin',
  'db_datawriter',
  'db_datareader',
  'db_denydatawriter',
  'db_denydatareader',
];

/** Permission names fn_builtin_permissions knows, by where they apply. */
export const SERVER_PERMISSIONS = new Set([
  'CONNECT SQL',
  'CONTROL SERVER',
  'ALTER ANY LOGIN',
  'ALTER ANY SERVER ROLE',
  'IMPERSONATE ANY LOGIN',
  'VIEW SERVER STATE',
  'VIEW ANY DATABASE',
  'VIEW ANY DEFINITION',
  'ALTER TRACE',
  'CREATE ANY DATABASE',
  'ALTER ANY CONNECTION',
]);
export const DATABASE_PERMISSIONS = new Set([
  'CONNECT',
  'CREATE TABLE',
  'CREATE VIEW',
  'CREATE PROCEDURE',
  'VIEW DEFINITION',
  'SHOWPLAN',
  'ALTER ANY USER',
  'ALTER ANY ROLE',
  'ALTER ANY SCHEMA',
  'EXECUTE',
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'REFERENCES',
  'ALTER',
  'CONTROL',
  'IMPERSONATE',
  'TAKE OWNERSHIP',
]);
