import type { Client } from 'pg';
import { PostgresServerReplyError } from './errors';
import { inspectRoles, type RoleAttributes, type RoleInspection, rememberInspection } from './postgres-roles';

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
  if (me === undefined) throw new PostgresServerReplyError('the current role is not in pg_roles');
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

/** Role attributes that are administrative power: a role holding one is never cloned. */
const ADMIN_ATTRIBUTES = [
  ['super', 'SUPERUSER'],
  ['createrole', 'CREATEROLE'],
  ['bypassrls', 'BYPASSRLS'],
  ['replication', 'REPLICATION'],
] as const;

/**
 * For the alternating-users strategy, before anything changes: why the rotation would give an
 * account more than the original role holds. upsertAlternateUser only adds to an existing clone
 * (LOGIN, membership in the original, the `role` setting), so what a clone holds beyond that
 * would reach whoever holds the rotated secret: refused, naming it, rather than silently removed
 * (someone gave it on purpose, and the operator should decide). A clone made by Rotor or by an
 * AWS template (LOGIN and membership in the original) passes. Privileges granted directly on
 * objects are not inspected here. One round trip; the upsert on the same session reuses what it
 * read (see rememberInspection).
 */
export async function postgresPrivilegeEscalations(
  client: Client,
  accounts: { readonly originalUsername: string; readonly cloneUsername: string },
): Promise<string[]> {
  const inspection = await inspectRoles(client, accounts.originalUsername, accounts.cloneUsername);
  rememberInspection(client, inspection);
  return privilegeEscalationsIn(inspection);
}

/** The escalation check on roles already read: pure. */
export function privilegeEscalationsIn(inspection: RoleInspection): string[] {
  const { original, clone, originalRole, cloneRole } = inspection;
  const problems: string[] = [];
  const adminPower = (role: RoleAttributes) =>
    ADMIN_ATTRIBUTES.filter(([attribute]) => role[attribute]).map(([, name]) => name);
  if (originalRole !== undefined && adminPower(originalRole).length > 0) {
    problems.push(
      `the original role ${JSON.stringify(original)} holds ${adminPower(originalRole).join(', ')}; alternating users would hand a second login the same power`,
    );
  }
  if (cloneRole === undefined) return problems;

  const cloneProblems: string[] = [];
  if (adminPower(cloneRole).length > 0) {
    cloneProblems.push(
      `the existing clone ${JSON.stringify(clone)} holds ${adminPower(cloneRole).join(', ')}`,
    );
  }
  if (cloneRole.createdb && !originalRole?.createdb) {
    cloneProblems.push(
      `the existing clone ${JSON.stringify(clone)} holds CREATEDB, which the original role ${JSON.stringify(original)} does not`,
    );
  }
  const memberships = inspection.cloneMemberships;
  const extra = [...new Set(memberships.map((m) => m.group).filter((name) => name !== original))];
  if (extra.length > 0) {
    cloneProblems.push(
      `the existing clone ${JSON.stringify(clone)} is a member of ${extra.map((n) => JSON.stringify(n)).join(', ')}, beyond the original role ${JSON.stringify(original)}`,
    );
  }
  if (memberships.some((m) => m.group === original && m.admin_option)) {
    cloneProblems.push(
      `the existing clone ${JSON.stringify(clone)} holds ADMIN OPTION on ${JSON.stringify(original)} (it could grant the role to others)`,
    );
  }
  if (cloneProblems.length > 0) {
    cloneProblems.push(
      `remove what the clone holds beyond LOGIN and membership in the original, or drop ${JSON.stringify(clone)} so that Rotor recreates it`,
    );
  }
  problems.push(...cloneProblems);
  return problems;
}
