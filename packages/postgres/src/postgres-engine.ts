import type {
  AlternateUserChange,
  AlternateUserOutcome,
  ConnectionSettings,
  DatabaseEngine,
  EngineContext,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import type { Client } from 'pg';
import { classifyPostgresConnectError, closePostgres, connectPostgres } from './postgres-connection';
import { postgresPrivilegeEscalations, postgresSuperuserPrivilegeProblems } from './postgres-privileges';
import {
  allowLoginStatement,
  alterRolePasswordStatement,
  createLoginRoleStatement,
  DEFAULT_SCRAM_ITERATIONS,
  grantMembershipStatement,
  type PasswordFormat,
  passwordFormatFor,
  passwordForServer,
  roleSettingEntry,
  type ServerPasswordFacts,
  setRoleStatement,
} from './postgres-sql';

export const postgresEngine: DatabaseEngine<Client> = {
  family: 'postgres',
  engineNames: ['postgres', 'aurora-postgresql'],
  settings: [],
  defaultPort: 5432,
  defaultDbname: 'postgres',
  defaultExcludeCharacters: ':/@"\'\\',
  maxUsernameLength: () => 63,
  // NAMEDATALEN - 1 counts bytes: a non-ASCII name reaches the limit sooner.
  usernameLengthUnit: 'bytes',
  superuserPrivilegeProblems: postgresSuperuserPrivilegeProblems,
  privilegeEscalations: (superuser, accounts) => postgresPrivilegeEscalations(superuser, accounts),

  connect(settings: ConnectionSettings): Promise<Client> {
    return connectPostgres(settings);
  },

  close: closePostgres,

  classifyConnectError: classifyPostgresConnectError,

  async runTestQuery(client: Client): Promise<void> {
    await client.query('SELECT NOW()');
  },

  async setOwnPassword(client: Client, change: OwnPasswordChange, context: EngineContext): Promise<void> {
    // A role whose sessions start with `SET role = ...` (such as a clone made by the alternating
    // strategy) runs as another role, and ALTER ROLE on oneself is checked against the current
    // role; back to the login role first. The session is closed right after.
    await client.query('SET ROLE NONE');
    const facts = await serverPasswordFacts(client);
    const format = passwordFormatFor(facts);
    logFormat(context, format, facts, change.username);
    await client.query(
      alterRolePasswordStatement(
        change.username,
        passwordForServer(change.newPassword, change.username, format, facts.scramIterations),
      ),
    );
  },

  async upsertAlternateUser(
    superuser: Client,
    change: AlternateUserChange,
    context: EngineContext,
  ): Promise<AlternateUserOutcome> {
    const { originalUsername: original, cloneUsername: clone, username } = change;
    if (username !== original && username !== clone) {
      throw new Error(
        `user ${JSON.stringify(username)} is neither the original ${JSON.stringify(original)} nor its clone`,
      );
    }
    // One transaction: a failure half-way leaves the roles as they were, and a retry starts clean.
    await superuser.query('BEGIN');
    try {
      const outcome = await upsertInTransaction(superuser, change, context);
      await superuser.query('COMMIT');
      return outcome;
    } catch (error) {
      await superuser.query('ROLLBACK').catch(() => {});
      throw error;
    }
  },
};

async function upsertInTransaction(
  db: Client,
  change: AlternateUserChange,
  context: EngineContext,
): Promise<AlternateUserOutcome> {
  const { originalUsername: original, cloneUsername: clone, username } = change;
  const roles = await db.query<{ rolname: string; rolcanlogin: boolean }>(
    'SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1::text[])',
    [[original, clone]],
  );
  const originalRole = roles.rows.find((r) => r.rolname === original);
  const cloneRole = roles.rows.find((r) => r.rolname === clone);
  if (!originalRole) {
    throw new Error(
      `the original role ${JSON.stringify(original)} does not exist; the clone mirrors it, so it must exist first`,
    );
  }

  const facts = await serverPasswordFacts(db);
  const format = passwordFormatFor(facts);
  logFormat(context, format, facts, username);
  const secret = passwordForServer(change.newPassword, username, format, facts.scramIterations);
  const privilegeChanges: string[] = [];

  if (!cloneRole) {
    // Normally the clone is what this rotation sets. If the clone is AWSCURRENT yet gone (dropped
    // after the current-login check), it comes back with its current password so it keeps working.
    const clonePassword =
      username === clone
        ? secret
        : passwordForServer(change.currentPassword, clone, format, facts.scramIterations);
    await db.query(createLoginRoleStatement(clone, clonePassword));
    if (username !== clone) await db.query(alterRolePasswordStatement(username, secret));
    // Membership carries every privilege of the original, including grants made after today:
    // nothing has to be copied at each rotation.
    await db.query(grantMembershipStatement(original, clone, facts.versionNum));
    // Every session of the clone runs as the original role, so the objects it creates belong to
    // the original (AWS template issues 56 and 175) and the application sees one owner whichever
    // of the two users holds AWSCURRENT.
    await db.query(setRoleStatement(clone, original));
    privilegeChanges.push(`granted membership in ${original}`, `sessions run as ${original}`);
    return { created: true, privilegeChanges };
  }

  await db.query(alterRolePasswordStatement(username, secret));
  // Re-assert the clone's set-up each rotation: idempotent, and it repairs a clone made by an AWS
  // template (membership only, objects owned by the clone) or changed by hand.
  if (!cloneRole.rolcanlogin) {
    await db.query(allowLoginStatement(clone));
    privilegeChanges.push('allowed login');
  }
  if (!(await membershipIsComplete(db, original, clone, facts.versionNum))) {
    await db.query(grantMembershipStatement(original, clone, facts.versionNum));
    privilegeChanges.push(`granted membership in ${original}`);
  }
  const settings = await db.query<{ setconfig: string[] | null }>(
    `SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
      WHERE s.setdatabase = 0 AND r.rolname = $1`,
    [clone],
  );
  if (!settings.rows.some((r) => r.setconfig?.includes(roleSettingEntry(original)))) {
    await db.query(setRoleStatement(clone, original));
    privilegeChanges.push(`sessions run as ${original}`);
  }
  return { created: false, privilegeChanges };
}

/** Direct membership of `member` in `group`, with INHERIT and SET where the server has those options. */
async function membershipIsComplete(
  db: Client,
  group: string,
  member: string,
  versionNum: number,
): Promise<boolean> {
  const options = versionNum >= 160000 ? ' AND m.inherit_option AND m.set_option' : '';
  const result = await db.query(
    `SELECT 1 FROM pg_auth_members m
       JOIN pg_roles g ON g.oid = m.roleid
       JOIN pg_roles u ON u.oid = m.member
      WHERE g.rolname = $1 AND u.rolname = $2${options}`,
    [group, member],
  );
  return (result.rowCount ?? 0) > 0;
}

async function serverPasswordFacts(client: Client): Promise<ServerPasswordFacts> {
  const result = await client.query<{ version: string; encryption: string; iterations: string | null }>(
    `SELECT current_setting('server_version_num') AS version,
            current_setting('password_encryption') AS encryption,
            current_setting('scram_iterations', true) AS iterations`,
  );
  const row = result.rows[0];
  if (!row) throw new Error('the server returned no settings row');
  const iterations = row.iterations === null ? Number.NaN : Number(row.iterations);
  return {
    versionNum: Number(row.version),
    passwordEncryption: row.encryption,
    scramIterations: Number.isInteger(iterations) && iterations > 0 ? iterations : DEFAULT_SCRAM_ITERATIONS,
  };
}

function logFormat(
  context: EngineContext,
  format: PasswordFormat,
  facts: ServerPasswordFacts,
  username: string,
) {
  const fields = {
    username,
    format,
    passwordEncryption: facts.passwordEncryption,
    serverVersion: facts.versionNum,
  };
  if (format === 'plaintext') {
    context.log.warn(
      'sending the password in plaintext: the server reports a password_encryption value Rotor does not know, so the server hashes it',
      fields,
    );
  } else {
    context.log.debug('sending a password verifier, not the password', fields);
  }
}
