import type { DatabaseEngine } from '@rotor/rotation-core';

/** Superuser credentials of the server a suite runs against. */
export interface SuperuserCredentials {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Database the app users work in (PostgreSQL: a database the suite may create objects in). */
  readonly dbname?: string;
}

/**
 * What the shared engine conformance suite needs from an engine's tests: the engine itself and
 * a few test-side database operations, all done over a real connection as the superuser (or as
 * the app user, where it says so). Each engine's tests implement this once.
 */
export interface EngineTestAdapter<C = unknown> {
  /** Test target label for output, e.g. `postgres`, `mariadb`, `mysql84`. */
  readonly label: string;
  readonly engine: DatabaseEngine<C>;
  /** The value the suite writes into the secret's `engine` key. */
  readonly engineValue: string;
  /** Superuser of the test server. */
  superuser(): SuperuserCredentials;
  /** Environment variables for the handlers besides the suite's own (e.g. USERNAME_CHARACTER_LIMIT). */
  handlerEnv?(): Record<string, string>;
  /** Extra keys for every secret the suite writes (e.g. `dbname`, `ssl: false`). */
  secretExtras(): Record<string, unknown>;
  /**
   * Creates a login user with `password` that may SELECT from the table `table` (created by this
   * call, owned by the superuser, in the suite's database/schema) and nothing more: no INSERT.
   */
  createAppUser(username: string, password: string, table: string): Promise<void>;
  /** Drops the user, its `_clone`, and the table; ignores what does not exist. */
  dropAppUser(username: string, table: string): Promise<void>;
  /** As the superuser: sets the user's password (to simulate a database that changed behind the secret). */
  setPassword(username: string, password: string): Promise<void>;
  /** As the superuser: true when a user (login role) of that name exists. */
  userExists(username: string): Promise<boolean>;
  /** True when the credentials log in; false on an authentication failure; throws otherwise. */
  canLogin(username: string, password: string): Promise<boolean>;
  /** True when the user (logging in with the password) can SELECT from the table. */
  canRead(username: string, password: string, table: string): Promise<boolean>;
  /** Grants (true) or revokes (false) a privilege on `table` to/from `username` that `canInsert` observes. */
  setInsertPrivilege(username: string, table: string, granted: boolean): Promise<void>;
  /** True when the user (logging in with the password) can INSERT into the table. */
  canInsert(username: string, password: string, table: string): Promise<boolean>;
  /**
   * Optional: as the user, creates table `newTable` and returns the name of its owner.
   * PostgreSQL uses it to prove the clone's objects belong to the original role.
   */
  ownerOfTableCreatedBy?(username: string, password: string, newTable: string): Promise<string>;
  /** Username limit to test the alternate-name check against (engine default). */
  readonly maxUsernameLength: number;
}

/** The part of an adapter that rotations under faults need (the fault rig, the invariant, the soak). */
export type FaultRigAdapter<C = unknown> = Pick<
  EngineTestAdapter<C>,
  | 'label'
  | 'engine'
  | 'engineValue'
  | 'superuser'
  | 'handlerEnv'
  | 'secretExtras'
  | 'createAppUser'
  | 'dropAppUser'
  | 'canLogin'
>;
