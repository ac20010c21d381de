import type { EngineContext } from '@rotor/rotation-core';
import type { Connection } from 'mysql2/promise';
import { AccountReads } from './mysql-account-reads';
import type { PrivilegeGrant, UserGrants } from './mysql-grants';
import { grantsWithRoles, PrivilegeHolder } from './mysql-privileges';
import { type Account, quoteAccount, type ServerFamily } from './mysql-sql';

/**
 * Global privileges that reach beyond the account's own data, so that the alternating strategy
 * must not hand them to a second account whose password Rotor puts in a secret. Three kinds:
 *
 * - control over accounts and privileges: creating or altering users, granting, acting as
 *   another definer or user, killing other sessions;
 * - control over the server or its host, or a view of other sessions: stopping or reloading the
 *   server, reading and writing files on the host, seeing every session's statements (which can
 *   hold passwords), reading or replaying the binary log (which holds every account change),
 *   setting global variables and keys;
 * - writing the system schema: on `*.*` INSERT, UPDATE, DELETE, ALTER and DROP include the
 *   `mysql` schema, whose tables are the accounts and their grants.
 *
 * MariaDB writes multi-word names (`CREATE USER`, `BINLOG ADMIN`), MySQL 8 dynamic privileges use
 * underscores (`ROLE_ADMIN`); both spellings are listed. ALL PRIVILEGES on `*.*` includes all of
 * them, and GRANT OPTION on `*.*` lets the holder pass on whatever it holds.
 */
const ADMINISTRATIVE = new Set([
  // Accounts and privileges.
  'ALL PRIVILEGES',
  'ALL',
  'SUPER',
  'CREATE USER',
  'SET USER',
  'CONNECTION ADMIN',
  'ROLE_ADMIN',
  'SYSTEM_USER',
  'SET_USER_ID',
  'SET_ANY_DEFINER',
  'ALLOW_NONEXISTENT_DEFINER',
  'AUTHENTICATION_POLICY_ADMIN',
  'CONNECTION_ADMIN',
  // The server, its host, other sessions and the binary log.
  'SHUTDOWN',
  'RELOAD',
  'FILE',
  'PROCESS',
  'REPLICATION SLAVE',
  'REPLICATION REPLICA',
  'REPLICATION MASTER ADMIN',
  'REPLICATION SLAVE ADMIN',
  'BINLOG ADMIN',
  'BINLOG REPLAY',
  'READ_ONLY ADMIN',
  'FEDERATED ADMIN',
  'BINLOG_ADMIN',
  'REPLICATION_SLAVE_ADMIN',
  'SYSTEM_VARIABLES_ADMIN',
  'ENCRYPTION_KEY_ADMIN',
  'CLONE_ADMIN',
  'GROUP_REPLICATION_ADMIN',
  // The system schema.
  'INSERT',
  'UPDATE',
  'DELETE',
  'ALTER',
  'DROP',
]);

/**
 * The engine's privilegeEscalations hook. Reads, per host account, the global privileges of the
 * original and of an existing clone (with the roles granted to them), and reports:
 * - the original holding administrative global privileges (see ADMINISTRATIVE), since alternating
 *   users would hand them to a second account;
 * - an existing clone holding global privileges, or GRANT OPTION on `*.*`, that the original at
 *   the same host lacks. The grant sync would revoke them, but an account Rotor did not set up
 *   that way is refused rather than adopted: someone made it, and may know its password.
 * A clone account at a host the original has no account at is left out: rotation never touches it.
 */
export async function mysqlPrivilegeEscalations(
  connection: Connection,
  accounts: { readonly originalUsername: string; readonly cloneUsername: string },
  _context: EngineContext,
): Promise<string[]> {
  // Read once for the step: upsertAlternateUser, next on this session, takes these reads over.
  const reads = await AccountReads.load(connection, [accounts.originalUsername, accounts.cloneUsername]);
  reads.handOver();
  const family = reads.facts.version.family;

  const problems: string[] = [];
  const cloneHosts = new Set(reads.accounts(accounts.cloneUsername).map((a) => a.host));
  for (const { host } of reads.accounts(accounts.originalUsername)) {
    const original: Account = { user: accounts.originalUsername, host };
    const originalGrants = await grantsWithRoles(reads.showGrants, original);
    const administrative = globalNames(originalGrants).filter(
      (name) => ADMINISTRATIVE.has(name) || name === 'GRANT OPTION',
    );
    if (administrative.length > 0) {
      problems.push(
        `${quoteAccount(original)} holds administrative global privileges (${administrative.join(', ')}); alternating users would give them to a second account, so rotate this user with the single-user strategy or grant these privileges per database instead`,
      );
    }
    if (!cloneHosts.has(host)) continue;
    const clone: Account = { user: accounts.cloneUsername, host };
    const extra = extraGlobalNames(await grantsWithRoles(reads.showGrants, clone), originalGrants, family);
    if (extra.length > 0) {
      problems.push(
        `${quoteAccount(clone)} already exists and holds global privileges ${quoteAccount(original)} lacks (${extra.join(', ')}); Rotor does not adopt such an account: drop it, or revoke those privileges, before rotating`,
      );
    }
  }
  return problems;
}

const isGlobal = (g: PrivilegeGrant): boolean => g.level.kind === 'global';

/** The account's global privilege names, and GRANT OPTION when it holds that on `*.*`. */
function globalNames(grants: UserGrants): string[] {
  const names = new Set<string>();
  for (const g of grants.privileges.filter(isGlobal)) {
    if (g.privilege !== 'USAGE') names.add(g.privilege);
    if (g.grantOption) names.add('GRANT OPTION');
  }
  return [...names];
}

/** Global privileges (and GRANT OPTION on `*.*`) of `clone` that `original` does not hold. */
function extraGlobalNames(clone: UserGrants, original: UserGrants, family: ServerFamily): string[] {
  const holder = new PrivilegeHolder(original, family);
  const originalHasOption = original.privileges.some((g) => isGlobal(g) && g.grantOption);
  return globalNames(clone).filter((name) =>
    name === 'GRANT OPTION' ? !originalHasOption : !holder.holds({ kind: 'global' }, name),
  );
}
