import type {
  AlternateUserChange,
  AlternateUserOutcome,
  ConnectionSettings,
  DatabaseEngine,
  EngineContext,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import type { Client } from 'pg';
import { PostgresRoleError } from './errors';
import { cloneUpsertPlan } from './postgres-clone-plan';
import { classifyPostgresConnectError, closePostgres, connectPostgres } from './postgres-connection';
import { postgresPrivilegeEscalations, postgresSuperuserPrivilegeProblems } from './postgres-privileges';
import { inspectRoles, resetRoleAndReadPasswordFacts, takeInspection } from './postgres-roles';
import {
  alterRolePasswordStatement,
  type PasswordFormat,
  passwordFormatFor,
  passwordForServer,
  type ServerPasswordFacts,
} from './postgres-sql';

export const postgresEngine: DatabaseEngine<Client> = {
  family: 'postgres',
  engineNames: ['postgres', 'aurora-postgresql'],
  settings: [],
  managedSecretResolutions: ['rds-instance', 'rds-cluster'],
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
    // Two round trips: the settings the verifier depends on (after SET ROLE NONE, see
    // resetRoleAndReadPasswordFacts), then the change. The session is closed right after.
    const facts = await resetRoleAndReadPasswordFacts(client);
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
      throw new PostgresRoleError(
        `user ${JSON.stringify(username)} is neither the original ${JSON.stringify(original)} nor its clone`,
      );
    }
    // One round trip reads the roles, unless the escalation check just did on this session.
    const inspection =
      takeInspection(superuser, original, clone) ?? (await inspectRoles(superuser, original, clone));
    if (!inspection.originalRole) {
      throw new PostgresRoleError(
        `the original role ${JSON.stringify(original)} does not exist; the clone mirrors it, so it must exist first`,
        { username },
      );
    }
    const { facts } = inspection;
    const format = passwordFormatFor(facts);
    logFormat(context, format, facts, username);
    const plan = cloneUpsertPlan(inspection, change, (password, role) =>
      passwordForServer(password, role, format, facts.scramIterations),
    );
    // One round trip writes: the statements go as one simple query, which the server runs as one
    // transaction, so a failure half-way leaves the roles as they were and a retry starts clean.
    await superuser.query(plan.statements.join(';\n'));
    return { created: plan.created, privilegeChanges: plan.privilegeChanges };
  },
};

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
