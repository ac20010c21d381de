import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type UserCatalogRows, userStateFromRows } from '../../src/redshift-catalog';
import { planCloneSync } from '../../src/redshift-grant-sync';

/** Hand-written rows shaped like the documented views (see test/fixtures/README.md). */
const fixture = (name: string): UserCatalogRows =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8')) as UserCatalogRows;

describe('reading catalog rows', () => {
  it('turns the documented columns into the user state, procedures told apart from functions', () => {
    const state = userStateFromRows(fixture('original-user'));
    expect(state).toMatchObject({
      name: 'app_user',
      id: 104,
      superuser: false,
      attributes: { createdb: true, syslogAccess: 'UNRESTRICTED', connectionLimit: 25, sessionTimeout: 3600 },
      groups: ['readers', 'etl writers'],
      roles: [
        { role: 'analyst', adminOption: false },
        { role: 'sys:monitor', adminOption: true },
      ],
    });
    expect(state.settings.get('search_path')).toBe('"$user", public, analytics');
    expect(state.grants.map((g) => [g.object.kind, g.privilege])).toContainEqual(['procedure', 'EXECUTE']);
    expect(state.grants.find((g) => g.object.kind === 'function')?.object).toEqual({
      kind: 'function',
      schema: 'public',
      name: 'f_rate',
      argumentTypes: 'integer, character varying',
    });
  });

  it('reads UNLIMITED, 0 and t/f as Redshift writes them', () => {
    const clone = userStateFromRows(fixture('drifted-clone'));
    expect(clone.attributes).toEqual({ createdb: false, syslogAccess: 'RESTRICTED' });
    expect(clone.superuser).toBe(false);
    expect(clone.settings.get('timezone')).toBe('UTC');
  });

  it('refuses a SYSLOG ACCESS value it does not know rather than guess', () => {
    const rows = fixture('fresh-clone');
    expect(() => userStateFromRows({ ...rows, info: { ...rows.info!, syslogaccess: 'SOMETIMES' } })).toThrow(
      /SYSLOG ACCESS/,
    );
  });
});

describe('planning the clone sync', () => {
  const original = userStateFromRows(fixture('original-user'));

  it('a fresh clone gets every group, role, direct grant, attribute and setting of the original', () => {
    const plan = planCloneSync(original, userStateFromRows(fixture('fresh-clone')));
    expect(plan.statements).toEqual([
      'ALTER GROUP "readers" ADD USER "app_user_clone"',
      'ALTER GROUP "etl writers" ADD USER "app_user_clone"',
      'GRANT ROLE "analyst" TO "app_user_clone"',
      'GRANT ROLE "sys:monitor" TO "app_user_clone" WITH ADMIN OPTION',
      'GRANT TEMP, CREATE ON DATABASE "dev" TO "app_user_clone"',
      'GRANT USAGE ON DATABASE "sales_share" TO "app_user_clone"',
      'GRANT USAGE ON SCHEMA "analytics" TO "app_user_clone"',
      'GRANT USAGE ON SCHEMA "spectrum_ext" TO "app_user_clone"',
      'GRANT SELECT, INSERT ON TABLE "public"."orders" TO "app_user_clone"',
      'GRANT SELECT ON TABLE "analytics"."daily_v" TO "app_user_clone" WITH GRANT OPTION',
      'GRANT EXECUTE ON FUNCTION "public"."f_rate"(integer, character varying) TO "app_user_clone"',
      'GRANT EXECUTE ON PROCEDURE "public"."sp_load"() TO "app_user_clone"',
      'ALTER USER "app_user_clone" CREATEDB',
      'ALTER USER "app_user_clone" SYSLOG ACCESS UNRESTRICTED',
      'ALTER USER "app_user_clone" CONNECTION LIMIT 25',
      'ALTER USER "app_user_clone" SESSION TIMEOUT 3600',
      `ALTER USER "app_user_clone" SET search_path = '$user', 'public', 'analytics'`,
      `ALTER USER "app_user_clone" SET statement_timeout = '60000'`,
    ]);
  });

  it('a drifted clone loses what the original lost and gains what it gained, grant options included', () => {
    const plan = planCloneSync(original, userStateFromRows(fixture('drifted-clone')));
    expect(plan.statements).toEqual(
      expect.arrayContaining([
        'ALTER GROUP "etl writers" ADD USER "app_user_clone"',
        'ALTER GROUP "admins" DROP USER "app_user_clone"',
        'GRANT ROLE "analyst" TO "app_user_clone"',
        'GRANT ROLE "sys:monitor" TO "app_user_clone" WITH ADMIN OPTION',
        'REVOKE ROLE "sys:dba" FROM "app_user_clone"',
        'GRANT CREATE ON DATABASE "dev" TO "app_user_clone"',
        'REVOKE DELETE ON TABLE "public"."orders" FROM "app_user_clone"',
        'REVOKE GRANT OPTION FOR SELECT ON TABLE "public"."orders" FROM "app_user_clone"',
        'GRANT INSERT ON TABLE "public"."orders" TO "app_user_clone"',
        'GRANT SELECT ON TABLE "analytics"."daily_v" TO "app_user_clone" WITH GRANT OPTION',
        'ALTER USER "app_user_clone" RESET timezone',
      ]),
    );
    // TEMPORARY on the clone is the TEMP the original has: nothing to do for it.
    expect(plan.statements.join('\n')).not.toMatch(/TEMP/);
    // Schema USAGE on analytics is already there.
    expect(plan.statements).not.toContain('GRANT USAGE ON SCHEMA "analytics" TO "app_user_clone"');
    expect(plan.statements.filter((s) => s.includes('search_path'))).toEqual([]);
    expect(plan.changes).toContain('removed from group admins');
  });

  it('plans nothing once the clone matches (every rotation re-checks, nothing drifts)', () => {
    const asClone = { ...original, name: 'app_user_clone', id: 131 };
    expect(planCloneSync(original, asClone)).toEqual({ statements: [], changes: [] });
  });

  it('only grants to the user itself count: a grant row for a group or role never reaches the plan', () => {
    // The catalog filters on identity_type = 'user'; the plan only sees what the reader returns.
    const rows = fixture('fresh-clone');
    const state = userStateFromRows(rows);
    expect(state.grants).toEqual([]);
  });
});
