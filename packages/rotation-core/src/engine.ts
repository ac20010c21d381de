import type { Deadline } from './deadline';
import type { EngineSetting } from './engine-module';
import type { Logger } from './logger';
import type { DatabaseSecret } from './secret-value';

/**
 * The contract between rotation-core and a database engine package.
 *
 * rotation-core owns the rotation protocol (events, stages, strategies, passwords, TLS policy,
 * Secrets Manager, errors, logging); an engine supplies only what differs between databases.
 * Engines never talk to Secrets Manager and never decide which credentials to try.
 */
export interface DatabaseEngine<Connection = unknown> {
  /** Family name used in logs and errors, e.g. `postgres`. */
  readonly family: string;
  /** Values of the secret's `engine` key this engine accepts, e.g. `['postgres', 'aurora-postgresql']`. */
  readonly engineNames: readonly string[];
  /** Prefixes of further accepted values (RDS's `custom-sqlserver-…` names); none by default. */
  readonly engineNamePrefixes?: readonly string[];
  /** Environment variables this engine reads beyond core's, validated at cold start; may be empty. */
  readonly settings: readonly EngineSetting[];
  readonly defaultPort: number;
  /** Database to connect to when the secret has no `dbname`. */
  readonly defaultDbname?: string;
  /** Default for EXCLUDE_CHARACTERS when the variable is not set. */
  readonly defaultExcludeCharacters: string;
  /** Character classes every generated password must contain regardless of EXCLUDE_* (Redshift). */
  readonly requiredPasswordClasses?: readonly PasswordClass[];
  /** Longest username the engine accepts; core checks the alternate name against it. */
  maxUsernameLength(env: EngineEnvironment): number;
  /** The setting (environment variable) that raises maxUsernameLength, when there is one. */
  readonly usernameLimitVariable?: string;
  /** What the limit counts: characters (default) or UTF-8 bytes (PostgreSQL's NAMEDATALEN). */
  readonly usernameLengthUnit?: 'characters' | 'bytes';

  /** Opens an authenticated session. Throws the driver's error on failure. */
  connect(settings: ConnectionSettings): Promise<Connection>;
  /** Closes a session; must not throw. */
  close(connection: Connection): Promise<void>;
  /** Tells an authentication failure from TLS, network and other failures. */
  classifyConnectError(error: unknown): ConnectFailureKind;
  /** The trivial query testSecret runs (`SELECT NOW()`, `SELECT 1`, `ping`). */
  runTestQuery(connection: Connection): Promise<void>;

  /** Single-user strategy: the logged-in user changes its own password. */
  setOwnPassword(connection: Connection, change: OwnPasswordChange, context: EngineContext): Promise<void>;
  /**
   * Alternating-users strategy, run as the superuser: create the clone if missing, bring its
   * privileges in line with the original's, and set `change.username`'s password.
   * Must be idempotent: the service retries steps.
   */
  upsertAlternateUser(
    superuser: Connection,
    change: AlternateUserChange,
    context: EngineContext,
  ): Promise<AlternateUserOutcome>;

  /**
   * Alternating users, run as the superuser before anything changes: why this rotation would hand
   * an account more than the original user holds, as sentences; empty when it would not. Core
   * refuses the rotation (UnsafeRotationError) on any. Covers: the original itself holding
   * administrative power (PostgreSQL SUPERUSER, CREATEROLE, BYPASSRLS, REPLICATION; MySQL global
   * administrative privileges), and an existing clone holding attributes, memberships or
   * privileges the original lacks that the engine would not bring in line.
   */
  privilegeEscalations?(
    superuser: Connection,
    accounts: { readonly originalUsername: string; readonly cloneUsername: string },
    context: EngineContext,
  ): Promise<string[]>;

  /**
   * Optional, for `rotor doctor`: what this superuser session lacks to do upsertAlternateUser
   * (create users, grant what the original holds), as sentences; empty when nothing is missing.
   */
  superuserPrivilegeProblems?(superuser: Connection, originalUsername: string): Promise<string[]>;
}

export type PasswordClass = 'uppercase' | 'lowercase' | 'digit' | 'punctuation';

export type ConnectFailureKind = 'authentication' | 'tls' | 'network' | 'other';

/** The environment variables an engine may read (e.g. USERNAME_CHARACTER_LIMIT). */
export type EngineEnvironment = Readonly<Record<string, string | undefined>>;

export interface TlsSettings {
  /** PEM certificates to trust: Node's roots, the Amazon RDS CAs, and any ROTOR_CA_BUNDLE. */
  readonly ca: readonly string[];
  /** Host name the certificate must match; absent for an IP address (checked against IP SANs). */
  readonly servername?: string;
  /** The host the certificate is checked against (name or IP address). */
  readonly host: string;
  readonly rejectUnauthorized: true;
}

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
  /** `false` means plaintext. */
  readonly tls: TlsSettings | false;
  readonly connectTimeoutMs: number;
  /**
   * The step's deadline: the connection attempt must give up by then (together with
   * connectTimeoutMs, whichever comes first), and the engine should set the session's server-side
   * statement and lock timeouts from what is left, so nothing it sends can land afterwards.
   */
  readonly deadline: Deadline;
  /** The whole secret, for engine-specific keys. */
  readonly secret: DatabaseSecret;
}

export interface EngineContext {
  readonly log: Logger;
  readonly env: EngineEnvironment;
  /** Every statement must finish (or be cancelled on the server) before this. */
  readonly deadline: Deadline;
}

export interface OwnPasswordChange {
  readonly username: string;
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly secret: DatabaseSecret;
}

/**
 * The original user owns the privileges; `<original>_clone` is kept equal to it. Each rotation sets
 * the password of one of the two (`username`), alternating.
 */
export interface AlternateUserChange {
  /** The user whose password this rotation sets (the AWSPENDING username). */
  readonly username: string;
  readonly newPassword: string;
  /** The user whose privileges the clone mirrors (the name without `_clone`). */
  readonly originalUsername: string;
  /** `<original>_clone`: created when missing, privileges brought in line every rotation. */
  readonly cloneUsername: string;
  /**
   * The AWSCURRENT user (the other one of the two) and its password, which stays valid through
   * this rotation: an engine that must create a missing account for that user uses it.
   */
  readonly currentUsername: string;
  readonly currentPassword: string;
  /** The pending secret (dbname and engine-specific keys). */
  readonly secret: DatabaseSecret;
}

export interface AlternateUserOutcome {
  readonly created: boolean;
  /** Short descriptions of privilege changes made, for the log (no secrets). */
  readonly privilegeChanges: readonly string[];
}
