import type { Client } from 'pg';

/** PostgreSQL 16 made granting a role need ADMIN OPTION on it, even with CREATEROLE. */
const ADMIN_OPTION_VERSION = 160000;

interface RoleRow {
  rolname: string;
  rolsuper: boolean;
  rolcreaterole: boolean;
}

/**
 * For `rotor doctor`: what the superuser session lacks to run upsertAlternateUser, as sentences.
 * The engine creates the clone (CREATE ROLE), grants it membership in the original role, and sets
 * the clone's `role` setting: a superuser may do all of it; otherwise the role needs CREATEROLE and,
 * on PostgreSQL 16+, ADMIN OPTION on the original role (and on an existing clone). A superuser
 * original can only be cloned by a superuser. Read from pg_roles and, through pg_has_role (the
 * server's own reading of pg_auth_members, with inherited admin options), role memberships.
 */
export async function postgresSuperuserPrivilegeProblems(
  client: Client,
  originalUsername: string,
): Promise<string[]> {
  const self = await client.query<RoleRow & { version: string }>(
    `SELECT rolname, rolsuper, rolcreaterole, current_setting('server_version_num') AS version
       FROM pg_roles WHERE rolname = current_user`,
  );
  const me = self.rows[0];
  if (me === undefined) throw new Error('the current role is not in pg_roles');
  if (me.rolsuper) return [];
  const who = JSON.stringify(me.rolname);
  const version = Number(me.version);

  const problems: string[] = [];
  if (!me.rolcreaterole) {
    problems.push(
      `role ${who} has neither SUPERUSER nor CREATEROLE, so it cannot create the clone role (as a superuser: ALTER ROLE ${who} CREATEROLE)`,
    );
  }
  const clone = `${originalUsername}_clone`;
  const roles = await client.query<RoleRow>(
    'SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = ANY($1::text[])',
    [[originalUsername, clone]],
  );
  const original = roles.rows.find((r) => r.rolname === originalUsername);
  if (original === undefined) {
    problems.push(`the original role ${JSON.stringify(originalUsername)} does not exist`);
    return problems;
  }
  if (original.rolsuper) {
    problems.push(
      `the original role ${JSON.stringify(originalUsername)} is a superuser; only a superuser can grant membership in it`,
    );
    return problems;
  }
  if (version >= ADMIN_OPTION_VERSION && me.rolcreaterole) {
    for (const role of roles.rows) {
      const admin = await client.query<{ admin: boolean }>(
        "SELECT pg_has_role(current_user, $1, 'MEMBER WITH ADMIN OPTION') AS admin",
        [role.rolname],
      );
      if (admin.rows[0]?.admin !== true) {
        const name = JSON.stringify(role.rolname);
        problems.push(
          `role ${who} has no ADMIN OPTION on ${name}, which PostgreSQL 16+ requires to ${role.rolname === clone ? 'change the existing clone' : 'grant it to the clone'} (as a superuser: GRANT ${name} TO ${who} WITH ADMIN OPTION)`,
        );
      }
    }
  }
  return problems;
}
