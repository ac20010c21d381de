import type { Client, QueryResult } from 'pg';
import { PostgresServerReplyError } from './errors';
import { DEFAULT_SCRAM_ITERATIONS, quoteLiteral, type ServerPasswordFacts } from './postgres-sql';

/** The attributes of a role that the alternating strategy reads. */
export interface RoleAttributes {
  readonly name: string;
  readonly super: boolean;
  readonly createrole: boolean;
  readonly bypassrls: boolean;
  readonly replication: boolean;
  readonly createdb: boolean;
  readonly login: boolean;
}

/** A direct membership of the clone in `group`; the inherit and set options exist from PostgreSQL 16. */
export interface CloneMembership {
  readonly group: string;
  readonly admin_option: boolean;
  readonly inherit_option?: boolean;
  readonly set_option?: boolean;
}

/** Everything the alternating strategy needs about the original role and its clone, read at once. */
export interface RoleInspection {
  readonly original: string;
  readonly clone: string;
  readonly facts: ServerPasswordFacts;
  readonly originalRole: RoleAttributes | undefined;
  readonly cloneRole: RoleAttributes | undefined;
  /** The clone's direct memberships, by group name. */
  readonly cloneMemberships: readonly CloneMembership[];
  /** The clone's settings for every database (`pg_db_role_setting.setconfig` entries). */
  readonly cloneSettings: readonly string[];
}

/** The password settings as the session sees them; shared by both strategies' reads. */
const PASSWORD_SETTINGS = `current_setting('server_version_num') AS version,
       current_setting('password_encryption') AS encryption,
       current_setting('scram_iterations', true) AS iterations`;

interface SettingsRow {
  version: string;
  encryption: string;
  iterations: string | null;
}

/**
 * One round trip for the alternating strategy: two statements in one simple query (so the names
 * are quoted here, not bound). The first returns one row per role found (at least one row, for the
 * settings); the second the clone's direct memberships, with all of pg_auth_members' columns so
 * that the PostgreSQL 16 options come along where they exist. Plain rows from pg_roles (whose
 * rolconfig is the role's setting for every database) and pg_auth_members: a new session pays for
 * each catalog and function it touches first, so this reads as few as it can.
 */
function inspectRolesSql(original: string, clone: string): string {
  return `SELECT ${PASSWORD_SETTINGS},
       r.rolname, r.rolsuper, r.rolcreaterole, r.rolbypassrls, r.rolreplication, r.rolcreatedb,
       r.rolcanlogin, r.rolconfig
  FROM (SELECT 1) AS one
  LEFT JOIN pg_roles r ON r.rolname IN (${quoteLiteral(original)}::text, ${quoteLiteral(clone)}::text);
SELECT g.rolname AS "group", m.*
  FROM pg_auth_members m
  JOIN pg_roles g ON g.oid = m.roleid
 WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = ${quoteLiteral(clone)}::text)
 ORDER BY g.rolname`;
}

interface RoleRow extends SettingsRow {
  rolname: string | null;
  rolsuper: boolean;
  rolcreaterole: boolean;
  rolbypassrls: boolean;
  rolreplication: boolean;
  rolcreatedb: boolean;
  rolcanlogin: boolean;
  rolconfig: string[] | null;
}

/** Reads the original role, its clone and the password settings in one round trip. */
export async function inspectRoles(client: Client, original: string, clone: string): Promise<RoleInspection> {
  const [roles, memberships] = lastResults<RoleRow | CloneMembership>(
    await client.query(inspectRolesSql(original, clone)),
    2,
  ) as [QueryResult<RoleRow>, QueryResult<CloneMembership>];
  const first = roles.rows[0];
  if (!first) throw new PostgresServerReplyError('the server returned no row for the role inspection');
  const attributes = (name: string): RoleAttributes | undefined => {
    const row = roles.rows.find((r) => r.rolname === name);
    return row === undefined
      ? undefined
      : {
          name,
          super: row.rolsuper,
          createrole: row.rolcreaterole,
          bypassrls: row.rolbypassrls,
          replication: row.rolreplication,
          createdb: row.rolcreatedb,
          login: row.rolcanlogin,
        };
  };
  return {
    original,
    clone,
    facts: passwordFactsFrom(first),
    originalRole: attributes(original),
    cloneRole: attributes(clone),
    cloneMemberships: memberships.rows,
    cloneSettings: roles.rows.find((r) => r.rolname === clone)?.rolconfig ?? [],
  };
}

/**
 * Single user, one round trip: back to the login role (a clone's sessions start as the original
 * role, and ALTER ROLE on oneself is checked against the current role), and the password settings.
 */
export async function resetRoleAndReadPasswordFacts(client: Client): Promise<ServerPasswordFacts> {
  const [settings] = lastResults<SettingsRow>(
    await client.query(`SET ROLE NONE; SELECT ${PASSWORD_SETTINGS}`),
    1,
  );
  const row = settings?.rows[0];
  if (!row) throw new PostgresServerReplyError('the server returned no settings row');
  return passwordFactsFrom(row);
}

/** The last `count` results of a multi-statement simple query (pg returns an array for those). */
function lastResults<R extends object>(answer: unknown, count: number): QueryResult<R>[] {
  const results = (Array.isArray(answer) ? answer : [answer]) as QueryResult<R>[];
  if (results.length < count)
    throw new PostgresServerReplyError(`the server answered ${results.length} statements, not ${count}`);
  return results.slice(-count);
}

function passwordFactsFrom(row: SettingsRow): ServerPasswordFacts {
  const iterations = row.iterations === null ? Number.NaN : Number(row.iterations);
  return {
    versionNum: Number(row.version),
    passwordEncryption: row.encryption,
    scramIterations: Number.isInteger(iterations) && iterations > 0 ? iterations : DEFAULT_SCRAM_ITERATIONS,
  };
}

/**
 * What the escalation check read on a superuser session, kept for the upsert that follows on the
 * same session within the step, so the roles are read once. Taken (and forgotten) by the upsert;
 * weakly held, so a session that ends otherwise leaves nothing behind.
 */
const inspected = new WeakMap<Client, RoleInspection>();

export function rememberInspection(client: Client, inspection: RoleInspection): void {
  inspected.set(client, inspection);
}

/** The session's remembered inspection when it is about the same two roles; forgotten either way. */
export function takeInspection(client: Client, original: string, clone: string): RoleInspection | undefined {
  const found = inspected.get(client);
  inspected.delete(client);
  return found?.original === original && found.clone === clone ? found : undefined;
}
