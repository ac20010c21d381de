import { randomBytes } from 'node:crypto';

/** A database user and password. The password is handed to drivers and secrets only, never printed. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The users and objects a rotation run works on: an application user with a table, and its superuser. */
export interface DemoUsers {
  /** The engine's superuser for alternating users: CREATEROLE (PostgreSQL) or ALL WITH GRANT OPTION (MySQL), not the server's own root. */
  readonly admin: Credentials;
  /** The application user: it can read `table` and nothing else. */
  readonly app: Credentials;
  readonly database: string;
  readonly table: string;
}

/** Names for setUp; each test or benchmark run picks unique ones, the demo fixed ones. */
export interface DemoNames {
  readonly admin: string;
  readonly app: string;
  readonly database: string;
  readonly table: string;
}

/** What logging in as a user showed. */
export type LoginResult =
  | {
      readonly loggedIn: true /** Rows in the app table, read with these credentials. */;
      readonly rows: number;
    }
  | {
      readonly loggedIn: false /** The server's refusal, e.g. its SQLSTATE or errno. */;
      readonly refusal: string;
    };

/**
 * One database server as a rotation run sees it: it creates the users, writes their secrets in AWS's
 * format, and proves which credentials log in. One implementation per engine.
 */
export interface DemoDatabase {
  /** The `engine` value in the secret JSON. */
  readonly engineValue: string;
  /** The zip to rotate with: `rotor-<zipEngine>.zip`. */
  readonly zipEngine: 'postgres' | 'mysql';
  /** For people: e.g. `PostgreSQL 17.6 (embedded) on 127.0.0.1:40123`. */
  readonly description: string;
  setUp(names: DemoNames): Promise<DemoUsers>;
  /** The secret JSON (AWS's format) for one of the users; `masterarn` for alternating users. */
  secretFor(users: DemoUsers, user: Credentials, masterarn?: string): Record<string, unknown>;
  /** Logs in as the user and counts the rows of the app table; an authentication refusal is a result, anything else throws. */
  login(users: DemoUsers, user: Credentials): Promise<LoginResult>;
  /** Drops the users (and their `_clone`) and the database. */
  tearDown(users: DemoUsers): Promise<void>;
}

/** A password for a user the run creates: 24 URL-safe characters, never printed. */
export function newPassword(): string {
  return `Rt-${randomBytes(18).toString('base64url')}`;
}
