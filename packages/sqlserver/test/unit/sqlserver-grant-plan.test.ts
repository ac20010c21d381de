import { SqlServerUngrantableError } from '../../src/errors';
import {
  planDatabaseGrants,
  refuseUngrantable,
  ungrantablePermissions,
} from '../../src/sqlserver-grant-plan';
import { DATABASE_PERMISSIONS } from '../fixtures/catalog-rows';

// The database part of the clone's plan from hand-written catalog rows (pure).

const role = (member: string, name: string, fixed: boolean, manageable: number) => ({
  member_name: member,
  role_name: name,
  is_fixed_role: fixed,
  manageable,
});
const connect = (grantee: string) => ({
  grantee_name: grantee,
  class: 0,
  permission_name: 'CONNECT',
  state: 'G',
});
const power = (may: number) => [{ may_grant_permissions: may }];

describe('database grant plan from catalog rows (pure)', () => {
  it('a new clone user: CONNECT (from CREATE USER) is not granted again; roles to add', () => {
    const plan = planDatabaseGrants(
      [[role('app_user', 'db_datareader', true, 1)], [connect('app_user')], power(1)],
      'app_user',
      'app_user_clone',
      false,
      'sales',
    );
    expect(plan.roles.add).toEqual(['db_datareader']);
    expect(plan.actions).toEqual([]);
    expect(() => refuseUngrantable(plan, 'app_user_clone', 'sales')).not.toThrow();
  });

  it('an existing clone user without CONNECT gets it granted', () => {
    const plan = planDatabaseGrants(
      [[], [connect('app_user')], power(1)],
      'app_user',
      'app_user_clone',
      true,
      'sales',
    );
    expect(ungrantablePermissions(plan, 'app_user_clone')).toEqual([]);
    expect(plan.actions.map((a) => a.verb)).toEqual(['GRANT']);
  });

  it('not db_owner: each role it may not change and each permission action is named, fixed and user-defined reasons apart', () => {
    const plan = planDatabaseGrants(
      [
        [
          role('app_user', 'db_datareader', true, 0),
          role('app_user', 'reporting', false, 0),
          role('app_user', 'etl', false, 1),
          role('app_user_clone', 'db_ddladmin', true, 0),
        ],
        [connect('app_user'), ...DATABASE_PERMISSIONS.slice(2, 3).map((p) => ({ ...p }))],
        power(0),
      ],
      'app_user',
      'app_user_clone',
      false,
      'sales',
    );
    expect(plan.roles.add).toEqual(['etl']);
    expect(ungrantablePermissions(plan, 'app_user_clone')).toEqual([
      'GRANT SELECT ON OBJECT::[sales].[orders] TO [app_user_clone]',
    ]);
    let error: unknown;
    try {
      refuseUngrantable(plan, 'app_user_clone', 'sales');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SqlServerUngrantableError);
    expect(error).toMatchObject({
      database: 'sales',
      ungrantable: [
        'membership of role [db_datareader]',
        'membership of role [reporting]',
        "removal from role [db_ddladmin] (the clone's user is a member beyond the original)",
        'GRANT SELECT ON OBJECT::[sales].[orders] TO [app_user_clone]',
      ],
    });
    expect((error as Error).message).toBe(
      "database sales: this superuser cannot copy membership of role [db_datareader]; membership of role [reporting]; removal from role [db_ddladmin] (the clone's user is a member beyond the original); GRANT SELECT ON OBJECT::[sales].[orders] TO [app_user_clone] to the clone (a fixed database role takes members only from db_owner; a user-defined role needs ALTER on it, ALTER ANY ROLE or db_owner; copying permissions needs db_owner or CONTROL on the database; make the superuser db_owner there, or give [app_user_clone] these yourself); nothing was changed",
    );
  });

  it('a missing grant-power row counts as no power (refuses rather than fails half-way)', () => {
    const plan = planDatabaseGrants(
      [[], [connect('app_user'), connect('app_user_clone')], []],
      'app_user',
      'app_user_clone',
      true,
      'sales',
    );
    expect(plan.mayGrant).toBe(false);
    expect(() => refuseUngrantable(plan, 'app_user_clone', 'sales')).not.toThrow();
  });
});
