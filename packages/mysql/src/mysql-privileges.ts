import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MysqlServerReplyError } from './errors';
import { type GrantReader, showGrantsReader, text } from './mysql-account-reads';
import { type PrivilegeGrant, type PrivilegeLevel, renderLevel, type UserGrants } from './mysql-grants';
import { type Account, parseServerVersion, quoteAccount, type ServerFamily } from './mysql-sql';

/** More missing grants than this are summarised: the sentence is for a person, not a diff. */
const MAX_LISTED = 8;

/**
 * For `rotor doctor`: what the superuser session lacks to run upsertAlternateUser, as sentences.
 * The engine creates the clone (CREATE USER, global), reads mysql.user and SHOW GRANTS FOR the
 * original (SELECT on the mysql schema), and grants the clone everything the original holds, which
 * MySQL and MariaDB allow only for privileges the grantor holds itself, with GRANT OPTION at that
 * level. Privileges are read from SHOW GRANTS FOR CURRENT_USER(), with granted roles expanded.
 */
export async function mysqlSuperuserPrivilegeProblems(
  connection: Connection,
  originalUsername: string,
): Promise<string[]> {
  const [versionRows] = await connection.query<RowDataPacket[]>(
    'SELECT VERSION() AS version, @@version_comment AS comment, CURRENT_USER() AS me',
  );
  const row = versionRows[0];
  if (row === undefined) throw new MysqlServerReplyError('SELECT VERSION() returned no row');
  const family = parseServerVersion(String(row.version), String(row.comment ?? '')).family;
  const me = splitAccount(String(row.me));
  const showGrants = showGrantsReader(connection);
  const mine = await grantsWithRoles(showGrants, me, 'current');
  const holder = new PrivilegeHolder(mine, family);
  const who = quoteAccount(me);

  const problems: string[] = [];
  if (!holder.holds({ kind: 'global' }, 'CREATE USER')) {
    problems.push(`${who} lacks CREATE USER on *.*, which creating the clone needs`);
  }
  if (!holder.holds({ kind: 'database', database: 'mysql' }, 'SELECT')) {
    problems.push(
      `${who} lacks SELECT on mysql.*, which reading mysql.user and SHOW GRANTS FOR the original need`,
    );
    // Nothing more can be learnt about the original without it.
    return problems;
  }

  const [hostRows] = await connection.execute<RowDataPacket[]>(
    'SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host',
    [originalUsername],
  );
  if (hostRows.length === 0) {
    problems.push(`user ${JSON.stringify(originalUsername)} has no account in mysql.user`);
    return problems;
  }
  const missing = new Set<string>();
  for (const hostRow of hostRows) {
    const original: Account = { user: originalUsername, host: text(hostRow.host) };
    const theirs = await showGrants(original);
    for (const grant of theirs.privileges) {
      if (!holder.canGrant(grant)) missing.add(describeGrant(grant));
    }
    for (const { role } of theirs.roles) {
      if (!holder.canGrantRole(role)) missing.add(`role ${quoteAccount(role)} (needs WITH ADMIN OPTION)`);
    }
    for (const { proxied } of theirs.proxies) {
      if (!holder.canGrantProxy(proxied)) missing.add(`PROXY ON ${quoteAccount(proxied)} WITH GRANT OPTION`);
    }
  }
  if (missing.size > 0) {
    const list = [...missing];
    const shown = list.slice(0, MAX_LISTED).join('; ');
    const more = list.length > MAX_LISTED ? `; and ${list.length - MAX_LISTED} more` : '';
    problems.push(
      `${who} cannot grant what ${JSON.stringify(originalUsername)} holds (a user can only grant privileges it holds, with GRANT OPTION at that level): ${shown}${more}`,
    );
  }
  return problems;
}

/** What one account holds, with the rules for which grant covers which. */
export class PrivilegeHolder {
  constructor(
    private readonly grants: UserGrants,
    private readonly family: ServerFamily,
  ) {}

  holds(level: PrivilegeLevel, privilege: string, column?: string): boolean {
    return this.grants.privileges.some(
      (g) =>
        covers(g.level, level) &&
        (g.column === undefined || g.column === column) &&
        this.includes(g.privilege, privilege),
    );
  }

  canGrant(grant: PrivilegeGrant): boolean {
    const privilege = grant.privilege === 'USAGE' ? undefined : grant.privilege;
    if (privilege !== undefined && !this.holds(grant.level, privilege, grant.column)) return false;
    // GRANT OPTION belongs to a level (per privilege for MySQL dynamic ones, read here per level).
    return this.grants.privileges.some((g) => g.grantOption && covers(g.level, grant.level));
  }

  canGrantRole(role: Account): boolean {
    const key = quoteAccount(role);
    if (this.grants.roles.some((r) => r.adminOption && quoteAccount(r.role) === key)) return true;
    // MySQL 8: ROLE_ADMIN, or the deprecated SUPER; MariaDB: SUPER.
    return ['ROLE_ADMIN', 'SUPER'].some((p) => this.holds({ kind: 'global' }, p));
  }

  canGrantProxy(proxied: Account): boolean {
    return this.grants.proxies.some(
      (p) =>
        p.grantOption &&
        ((p.proxied.user === '' && p.proxied.host === '%') ||
          quoteAccount(p.proxied) === quoteAccount(proxied)),
    );
  }

  /** ALL PRIVILEGES covers the static privileges; MySQL's dynamic ones (BACKUP_ADMIN...) only by name. */
  private includes(held: string, wanted: string): boolean {
    if (held === wanted) return true;
    if (held !== 'ALL PRIVILEGES' && held !== 'ALL') return false;
    return this.family === 'mariadb' || !wanted.includes('_');
  }
}

/** True when a grant on `outer` applies to `inner` (global ⊇ database ⊇ object). */
function covers(outer: PrivilegeLevel, inner: PrivilegeLevel): boolean {
  if (outer.kind === 'global') return true;
  if (inner.kind === 'global') return false;
  if (outer.database !== inner.database) return false;
  if (outer.kind === 'database') return true;
  return (
    inner.kind === 'object' &&
    outer.name === inner.name &&
    (outer.objectType ?? 'TABLE') === (inner.objectType ?? 'TABLE')
  );
}

function describeGrant(grant: PrivilegeGrant): string {
  const column = grant.column === undefined ? '' : ` (${grant.column})`;
  return `${grant.privilege}${column} ON ${renderLevel(grant.level)}`;
}

/**
 * An account's own grants plus those of the roles granted to it, recursively: a superuser whose
 * privileges come from a role can still grant them, and an account holding a role holds what the
 * role holds. (Whether the role is active in a session depends on default roles; granted roles
 * are counted as held.) `me` asks for the session's own account through CURRENT_USER().
 */
export async function grantsWithRoles(
  showGrants: GrantReader,
  account: Account,
  me?: 'current',
): Promise<UserGrants> {
  const own = await showGrants(me ?? account);
  const merged = {
    privileges: [...own.privileges],
    partialRevokes: [...own.partialRevokes],
    roles: [...own.roles],
    proxies: [...own.proxies],
    defaultRoles: [...own.defaultRoles],
  };
  const seen = new Set([quoteAccount(account)]);
  const queue = own.roles.map((r) => r.role);
  for (let role = queue.shift(); role !== undefined; role = queue.shift()) {
    const key = quoteAccount(role);
    if (seen.has(key)) continue;
    seen.add(key);
    const theirs = await showGrants(role);
    merged.privileges.push(...theirs.privileges);
    merged.proxies.push(...theirs.proxies);
    queue.push(...theirs.roles.map((r) => r.role));
  }
  return merged;
}

/** `user@host` as CURRENT_USER() returns it; the host is after the last `@` (user names may hold one). */
function splitAccount(value: string): Account {
  const at = value.lastIndexOf('@');
  return at < 0 ? { user: value } : { user: value.slice(0, at), host: value.slice(at + 1) };
}
