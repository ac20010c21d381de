// The grant difference between two accounts and the GRANT / REVOKE statements that remove it.
// Pure SQL text, no I/O.
import {
  type PrivilegeGrant,
  type ProxyGrant,
  type RoleGrant,
  renderLevel,
  type UserGrants,
} from './mysql-grants';
import { type Account, quoteAccount, quoteIdentifier, type ServerFamily } from './mysql-sql';

function privilegeKey(grant: PrivilegeGrant, withOption: boolean): string {
  const column = grant.column === undefined ? '' : ` (${quoteIdentifier(grant.column)})`;
  return `${renderLevel(grant.level)}|${grant.privilege}${column}${withOption && grant.grantOption ? '|GO' : ''}`;
}

const accountKey = (a: Account): string => quoteAccount(a);

/** The GRANT / REVOKE statements that make `clone` hold what `original` holds, and a summary of each. */
export interface GrantPlan {
  readonly statements: readonly string[];
  /** Same order as statements; names only, for the log. */
  readonly changes: readonly string[];
}

/**
 * Computes the statements that turn the clone's grants into the original's. Revokes come first
 * (privileges the original lost), then grants, then partial revokes and default roles. A grant
 * option mismatch is fixed by revoking and re-granting. The caller re-reads SHOW GRANTS afterwards
 * and applies a second plan if overlapping privileges (ALL PRIVILEGES vs single ones) left a gap.
 */
export function planGrantSync(
  original: UserGrants,
  clone: UserGrants,
  cloneAccount: Account,
  family: ServerFamily,
): GrantPlan {
  const statements: string[] = [];
  const changes: string[] = [];
  const target = quoteAccount(cloneAccount);
  const add = (sql: string, change: string) => {
    statements.push(sql);
    changes.push(change);
  };

  // Privileges, compared as (level, privilege, column, grant option).
  const originalKeys = new Set(original.privileges.map((g) => privilegeKey(g, true)));
  const cloneKeys = new Set(clone.privileges.map((g) => privilegeKey(g, true)));
  const originalOptionLevels = new Set(
    original.privileges.filter((g) => g.grantOption).map((g) => renderLevel(g.level)),
  );

  const toRevoke = clone.privileges.filter((g) => !originalKeys.has(privilegeKey(g, true)));
  for (const [level, grants] of groupByLevel(toRevoke)) {
    const names = privilegeListText(grants.filter((g) => g.privilege !== 'USAGE'));
    if (names.length > 0) {
      add(`REVOKE ${names.join(', ')} ON ${level} FROM ${target}`, `revoked ${names.join(', ')} ON ${level}`);
    }
    // GRANT OPTION gets a statement of its own: `REVOKE ALL PRIVILEGES, GRANT OPTION` is only
    // valid without ON (both servers reject it with a level), and one shape for every level and
    // privilege list keeps the plan free of such special cases.
    if (grants.some((g) => g.grantOption) && !originalOptionLevels.has(level)) {
      add(`REVOKE GRANT OPTION ON ${level} FROM ${target}`, `revoked GRANT OPTION ON ${level}`);
    }
  }

  const toGrant = original.privileges.filter((g) => !cloneKeys.has(privilegeKey(g, true)));
  for (const option of [false, true]) {
    for (const [level, grants] of groupByLevel(toGrant.filter((g) => g.grantOption === option))) {
      const names = privilegeListText(grants);
      const suffix = option ? ' WITH GRANT OPTION' : '';
      add(
        `GRANT ${names.join(', ')} ON ${level} TO ${target}${suffix}`,
        `granted ${names.join(', ')} ON ${level}${suffix}`,
      );
    }
  }

  // Roles (a change of ADMIN OPTION is a revoke and a grant).
  const roleKey = (r: RoleGrant) => `${accountKey(r.role)}|${r.adminOption}`;
  const originalRoles = new Set(original.roles.map(roleKey));
  const cloneRoles = new Set(clone.roles.map(roleKey));
  for (const r of clone.roles.filter((r) => !originalRoles.has(roleKey(r)))) {
    add(`REVOKE ${quoteAccount(r.role)} FROM ${target}`, `revoked role ${quoteAccount(r.role)}`);
  }
  for (const r of original.roles.filter((r) => !cloneRoles.has(roleKey(r)))) {
    const suffix = r.adminOption ? ' WITH ADMIN OPTION' : '';
    add(
      `GRANT ${quoteAccount(r.role)} TO ${target}${suffix}`,
      `granted role ${quoteAccount(r.role)}${suffix}`,
    );
  }

  // Proxy privileges.
  const proxyKey = (p: ProxyGrant) => `${accountKey(p.proxied)}|${p.grantOption}`;
  const originalProxies = new Set(original.proxies.map(proxyKey));
  const cloneProxies = new Set(clone.proxies.map(proxyKey));
  for (const p of clone.proxies.filter((p) => !originalProxies.has(proxyKey(p)))) {
    add(
      `REVOKE PROXY ON ${quoteAccount(p.proxied)} FROM ${target}`,
      `revoked PROXY ON ${quoteAccount(p.proxied)}`,
    );
  }
  for (const p of original.proxies.filter((p) => !cloneProxies.has(proxyKey(p)))) {
    const suffix = p.grantOption ? ' WITH GRANT OPTION' : '';
    add(
      `GRANT PROXY ON ${quoteAccount(p.proxied)} TO ${target}${suffix}`,
      `granted PROXY ON ${quoteAccount(p.proxied)}${suffix}`,
    );
  }

  // MySQL 8 partial revokes: after the global grants, so the restriction has something to restrict.
  const originalRevokes = new Set(original.partialRevokes.map((g) => privilegeKey(g, false)));
  const cloneRevokes = new Set(clone.partialRevokes.map((g) => privilegeKey(g, false)));
  for (const g of clone.partialRevokes.filter((g) => !originalRevokes.has(privilegeKey(g, false)))) {
    const level = renderLevel(g.level);
    add(
      `GRANT ${g.privilege} ON ${level} TO ${target}`,
      `lifted partial revoke of ${g.privilege} ON ${level}`,
    );
  }
  for (const g of original.partialRevokes.filter((g) => !cloneRevokes.has(privilegeKey(g, false)))) {
    const level = renderLevel(g.level);
    add(`REVOKE ${g.privilege} ON ${level} FROM ${target}`, `partially revoked ${g.privilege} ON ${level}`);
  }

  // Default roles, after the role grants they name.
  const wanted = original.defaultRoles.map(accountKey).sort();
  const have = clone.defaultRoles.map(accountKey).sort();
  if (wanted.join(',') !== have.join(',')) {
    const roles = wanted.length === 0 ? 'NONE' : wanted.join(', ');
    if (family === 'mariadb') {
      // MariaDB has a single default role per account.
      add(`SET DEFAULT ROLE ${wanted[0] ?? 'NONE'} FOR ${target}`, `default role ${wanted[0] ?? 'NONE'}`);
    } else {
      add(`SET DEFAULT ROLE ${roles} TO ${target}`, `default roles ${roles}`);
    }
  }
  return { statements, changes };
}

function groupByLevel(grants: readonly PrivilegeGrant[]): Map<string, PrivilegeGrant[]> {
  const groups = new Map<string, PrivilegeGrant[]>();
  for (const g of grants) {
    const level = renderLevel(g.level);
    const list = groups.get(level) ?? [];
    list.push(g);
    groups.set(level, list);
  }
  return groups;
}

/** `SELECT, INSERT (`c1`, `c2`)`: table-level names once, column names gathered per privilege. */
function privilegeListText(grants: readonly PrivilegeGrant[]): string[] {
  const plain: string[] = [];
  const columns = new Map<string, string[]>();
  for (const g of grants) {
    if (g.column === undefined) {
      if (!plain.includes(g.privilege)) plain.push(g.privilege);
    } else {
      const list = columns.get(g.privilege) ?? [];
      list.push(quoteIdentifier(g.column));
      columns.set(g.privilege, list);
    }
  }
  return [...plain, ...[...columns].map(([p, cols]) => `${p} (${cols.join(', ')})`)];
}

/** True when the two accounts hold the same privileges, roles, proxies, partial revokes and default roles. */
export function sameGrants(a: UserGrants, b: UserGrants, family: ServerFamily): boolean {
  return planGrantSync(a, b, { user: 'x', host: 'x' }, family).statements.length === 0;
}
