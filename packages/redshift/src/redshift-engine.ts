import type {
  AlternateUserChange,
  AlternateUserOutcome,
  DatabaseEngine,
  EngineContext,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import type { Client } from 'pg';
import { RedshiftIdentityError, RedshiftPasswordError, RedshiftUsernameError } from './errors';
import {
  type CatalogQuery,
  type PgUserRow,
  RedshiftCatalog,
  type RedshiftCatalogOptions,
} from './redshift-catalog';
import {
  classifyRedshiftConnectError,
  closeRedshift,
  connectRedshift,
  queryBefore,
  REDSHIFT_DEFAULT_DATABASE,
} from './redshift-connection';
import { planCloneSync } from './redshift-grant-sync';
import { FORBIDDEN_PASSWORD_CHARACTERS, redshiftPasswordProblems } from './redshift-password';
import {
  alterUserPasswordStatement,
  createUserStatement,
  foldedName,
  MAX_IDENTIFIER_BYTES,
  md5PasswordHash,
} from './redshift-sql';

export const REDSHIFT_PORT = 5439;

export interface RedshiftEngineOptions {
  /** Where the Redshift-only catalog views are read (tests point it at PostgreSQL stand-ins). */
  readonly catalog?: RedshiftCatalogOptions;
}

/** The engine; `redshiftEngine` is the one the handlers use. */
export function createRedshiftEngine(options: RedshiftEngineOptions = {}): DatabaseEngine<Client> {
  const catalog = new RedshiftCatalog(options.catalog);
  return {
    family: 'redshift',
    engineNames: ['redshift'],
    settings: [],
    defaultPort: REDSHIFT_PORT,
    defaultDbname: REDSHIFT_DEFAULT_DATABASE,
    defaultExcludeCharacters: FORBIDDEN_PASSWORD_CHARACTERS,
    // Required whatever EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE and EXCLUDE_NUMBERS say.
    requiredPasswordClasses: ['uppercase', 'lowercase', 'digit'],
    maxUsernameLength: () => MAX_IDENTIFIER_BYTES,
    usernameLengthUnit: 'bytes',

    connect: connectRedshift,
    close: closeRedshift,
    classifyConnectError: classifyRedshiftConnectError,

    async runTestQuery(client: Client): Promise<void> {
      const rows = await client.query<{ one: number; who: string }>('SELECT 1 AS one, current_user AS who');
      const login = client.user ?? '';
      const who = rows.rows[0]?.who;
      if (rows.rows[0]?.one !== 1 || !sameUser(who, login)) {
        throw new RedshiftIdentityError(
          `logged in as ${JSON.stringify(login)} but the session runs as ${JSON.stringify(who ?? null)}`,
          { username: login },
        );
      }
    },

    async setOwnPassword(client: Client, change: OwnPasswordChange, context: EngineContext): Promise<void> {
      checkPassword(change.newPassword, change.username);
      const query = queryOn(client, context);
      // The md5 salt is the name exactly as stored: the session's own user says what that is.
      const [row] = await query<{ who: string }>('read current_user', 'SELECT current_user AS who');
      const stored = row?.who;
      if (stored === undefined || !sameUser(stored, change.username)) {
        throw new RedshiftIdentityError(
          `logged in as ${JSON.stringify(change.username)} but the session runs as ${JSON.stringify(stored ?? null)}`,
          { username: change.username },
        );
      }
      await query(
        'change the password (ALTER USER)',
        alterUserPasswordStatement(stored, md5PasswordHash(change.newPassword, stored)),
      );
      context.log.info('password set as an md5 hash salted with the stored user name', { username: stored });
    },

    async upsertAlternateUser(
      superuser: Client,
      change: AlternateUserChange,
      context: EngineContext,
    ): Promise<AlternateUserOutcome> {
      const { originalUsername: original, cloneUsername: clone, username } = change;
      if (username !== original && username !== clone) {
        throw new RedshiftUsernameError(
          `user ${JSON.stringify(username)} is neither the original ${JSON.stringify(original)} nor its clone`,
        );
      }
      // Everything that can be refused is refused before the first statement.
      const cloneBytes = Buffer.byteLength(foldedName(clone), 'utf8');
      if (cloneBytes > MAX_IDENTIFIER_BYTES) {
        throw new RedshiftUsernameError(
          `the clone ${JSON.stringify(clone)} would be ${cloneBytes} bytes long; Redshift names are at most ${MAX_IDENTIFIER_BYTES} bytes`,
          { username: clone },
        );
      }
      checkPassword(change.newPassword, username);
      const query = queryOn(superuser, context);
      await query('begin a transaction', 'BEGIN');
      try {
        const outcome = await upsert(query, catalog, change, context);
        await query('commit', 'COMMIT');
        return outcome;
      } catch (error) {
        await superuser.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },

    async privilegeEscalations(
      superuser: Client,
      accounts: { readonly originalUsername: string; readonly cloneUsername: string },
      context: EngineContext,
    ): Promise<string[]> {
      const query = queryOn(superuser, context);
      const original = await catalog.findUser(query, namesFor(accounts.originalUsername));
      const clone = await catalog.findUser(query, namesFor(accounts.cloneUsername));
      const problems: string[] = [];
      if (original?.usesuper) {
        problems.push(
          `the original user ${JSON.stringify(original.usename)} is a superuser (or was made with CREATEUSER, which makes one); a clone of it would be one too`,
        );
      }
      if (clone?.usesuper && !original?.usesuper) {
        problems.push(
          `the existing clone ${JSON.stringify(clone.usename)} is a superuser and the original is not; Rotor does not take that away (as a superuser: ALTER USER ${JSON.stringify(clone.usename)} NOCREATEUSER)`,
        );
      }
      return problems;
    },
  };
}

export const redshiftEngine: DatabaseEngine<Client> = createRedshiftEngine();

async function upsert(
  query: CatalogQuery,
  catalog: RedshiftCatalog,
  change: AlternateUserChange,
  context: EngineContext,
): Promise<AlternateUserOutcome> {
  const { originalUsername: original, cloneUsername: clone, username } = change;
  const originalRow = await catalog.findUser(query, namesFor(original));
  if (!originalRow) {
    throw new RedshiftUsernameError(
      `the original user ${JSON.stringify(original)} does not exist; the clone mirrors it, so it must exist first`,
      { username: original },
    );
  }
  let cloneRow = await catalog.findUser(query, namesFor(clone));
  const privilegeChanges: string[] = [];
  let created = false;

  if (!cloneRow) {
    // Normally the clone is what this rotation sets. If the clone is AWSCURRENT yet gone, it comes
    // back with its current password so the credentials applications hold keep working.
    const clonePassword = username === clone ? change.newPassword : change.currentPassword;
    const predicted = foldedName(clone);
    await query(
      'create the clone (CREATE USER)',
      createUserStatement(clone, md5PasswordHash(clonePassword, predicted)),
    );
    cloneRow = await catalog.findUser(query, namesFor(clone));
    if (!cloneRow)
      throw new RedshiftUsernameError(
        `the clone ${JSON.stringify(clone)} is not in pg_user after CREATE USER`,
      );
    // A cluster that keeps case stores another name than predicted; the salt must be the stored name.
    if (cloneRow.usename !== predicted) {
      await query(
        'set the clone password (ALTER USER)',
        alterUserPasswordStatement(cloneRow.usename, md5PasswordHash(clonePassword, cloneRow.usename)),
      );
    }
    created = true;
    privilegeChanges.push('created the clone');
  }
  if (!created || username !== clone) {
    const target: PgUserRow = username === clone ? cloneRow : originalRow;
    await query(
      'change the password (ALTER USER)',
      alterUserPasswordStatement(target.usename, md5PasswordHash(change.newPassword, target.usename)),
    );
  }

  const plan = planCloneSync(
    await catalog.readUser(query, originalRow),
    await catalog.readUser(query, cloneRow),
  );
  for (const statement of plan.statements) {
    await query('bring the clone in line with the original (GRANT, REVOKE, ALTER)', statement);
  }
  privilegeChanges.push(...plan.changes);
  context.log.debug('clone privileges compared', {
    username: cloneRow.usename,
    statements: plan.statements.length,
  });
  return { created, privilegeChanges };
}

function queryOn(client: Client, context: EngineContext): CatalogQuery {
  return (what, sql, params) => queryBefore(client, context.deadline, what, sql, params);
}

/** The name as given and as Redshift folds it: a secret may spell a user with capitals. */
function namesFor(name: string): string[] {
  return [name, foldedName(name)];
}

function sameUser(stored: string | undefined, given: string): boolean {
  return stored !== undefined && (stored === given || stored === foldedName(given));
}

/** Redshift does not check a password sent as a hash: Rotor does, before anything is sent. */
function checkPassword(password: string, username: string): void {
  const problems = redshiftPasswordProblems(password);
  if (problems.length > 0) {
    throw new RedshiftPasswordError(
      `the new password for ${JSON.stringify(username)} breaks Redshift's password rules: ${problems.join('; ')} (check PASSWORD_LENGTH and EXCLUDE_CHARACTERS)`,
      { username },
    );
  }
}
