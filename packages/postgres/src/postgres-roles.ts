import type { Client, QueryResult } from 'pg';
import { PostgresServerReplyError } from './errors';
import { DEFAULT_SCRAM_ITERATIONS, type ServerPasswordFacts } from './postgres-sql';

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
 * One round trip for the alternating strategy: the password settings, both roles' attributes, the
 * clone's direct memberships (all of pg_auth_members' columns through to_jsonb, so the PostgreSQL
 * 16 options come along where they exist) and its role settings. $1 is the original, $2 the clone.
 */
const INSPECT_ROLES = `SELECT ${PASSWORD_SETTINGS},
       (SELECT coalesce(json_agg(json_build_object(
                 'name', r.rolname, 'super', r.rolsuper, 'createrole', r.rolcreaterole,
                 'bypassrls', r.rolbypassrls, 'replication', r.rolreplication,
                 'createdb', r.rolcreatedb, 'login', r.rolcanlogin)), '[]')
          FROM pg_roles r WHERE r.rolname IN ($1::text, $2::text)) AS roles,
       (SELECT coalesce(json_agg(to_jsonb(m) || jsonb_build_object('group', g.rolname) ORDER BY g.rolname), '[]')
          FROM pg_auth_members m
          JOIN pg_roles g ON g.oid = m.roleid
          JOIN pg_roles u ON u.oid = m.member
         WHERE u.rolname = $2::text) AS memberships,
       (SELECT coalesce(json_agg(c.entry), '[]')
          FROM pg_db_role_setting s
          JOIN pg_roles r ON r.oid = s.setrole
         CROSS JOIN LATERAL unnest(s.setconfig) AS c(entry)
         WHERE s.setdatabase = 0 AND r.rolname = $2::text) AS settings`;

/** Reads the original role, its clone and the password settings in one query. */
export async function inspectRoles(client: Client, original: string, clone: string): Promise<RoleInspection> {
  const result = await client.query<
    SettingsRow & { roles: RoleAttributes[]; memberships: CloneMembership[]; settings: string[] }
  >(INSPECT_ROLES, [original, clone]);
  const row = result.rows[0];
  if (!row) throw new PostgresServerReplyError('the server returned no row for the role inspection');
  return {
    original,
    clone,
    facts: passwordFactsFrom(row),
    originalRole: row.roles.find((r) => r.name === original),
    cloneRole: row.roles.find((r) => r.name === clone),
    cloneMemberships: row.memberships,
    cloneSettings: row.settings,
  };
}

/**
 * Single user, one round trip: back to the login role (a clone's sessions start as the original
 * role, and ALTER ROLE on oneself is checked against the current role), and the password settings.
 */
export async function resetRoleAndReadPasswordFacts(client: Client): Promise<ServerPasswordFacts> {
  const results = (await client.query(`SET ROLE NONE; SELECT ${PASSWORD_SETTINGS}`)) as unknown as
    | QueryResult<SettingsRow>[]
    | QueryResult<SettingsRow>;
  const last = Array.isArray(results) ? results[results.length - 1] : results;
  const row = last?.rows[0];
  if (!row) throw new PostgresServerReplyError('the server returned no settings row');
  return passwordFactsFrom(row);
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
