import {
  permissionsOf,
  planPermissionSync,
  planRoleSync,
  securableOf,
  UnsupportedPermissionClassError,
} from '../../src/sqlserver-permission-sync';
import {
  AVAILABILITY_GROUP_PERMISSION,
  DATABASE_PERMISSIONS,
  DATABASE_ROLES,
  SERVER_PERMISSIONS,
  SERVER_ROLES,
} from '../fixtures/catalog-rows';

describe('permission-sync plan from catalog rows (hand-written fixtures)', () => {
  it('server: grants what the clone lacks, takes the grant option and surplus away, by class', () => {
    const plan = planPermissionSync(
      permissionsOf(SERVER_PERMISSIONS, 'app'),
      permissionsOf(SERVER_PERMISSIONS, 'app_clone'),
    );
    expect(plan).toEqual([
      {
        verb: 'REVOKE',
        cascade: true,
        permission: { permission: 'ALTER TRACE', state: 'W', securable: { scope: 'server' } },
      },
      {
        verb: 'GRANT',
        withGrantOption: true,
        permission: { permission: 'VIEW SERVER STATE', state: 'W', securable: { scope: 'server' } },
      },
      {
        verb: 'GRANT',
        withGrantOption: false,
        permission: {
          permission: 'IMPERSONATE',
          state: 'G',
          securable: { scope: 'named', keyword: 'LOGIN', name: 'report]er' },
        },
      },
      {
        verb: 'GRANT',
        withGrantOption: false,
        permission: {
          permission: 'CONNECT',
          state: 'G',
          securable: { scope: 'named', keyword: 'ENDPOINT', name: 'TSQL Default TCP' },
        },
      },
    ]);
  });

  it('database: every class maps to its securable; DENY, column and grant-option changes', () => {
    const plan = planPermissionSync(
      permissionsOf(DATABASE_PERMISSIONS, 'app_user'),
      permissionsOf(DATABASE_PERMISSIONS, 'app_user_clone'),
    );
    expect(plan.map((a) => [a.verb, a.permission.permission, a.permission.securable])).toEqual([
      ['REVOKE', 'DELETE', { scope: 'schema-bound', keyword: 'OBJECT', schema: 'sales', name: 'orders' }],
      ['GRANT', 'CREATE TABLE', { scope: 'database' }],
      ['GRANT', 'SELECT', { scope: 'schema-bound', keyword: 'OBJECT', schema: 'sales', name: 'orders' }],
      ['DENY', 'UPDATE', { scope: 'column', schema: 'sales', name: 'orders', column: 'total' }],
      ['GRANT', 'EXECUTE', { scope: 'named', keyword: 'SCHEMA', name: 'api' }],
      ['GRANT', 'IMPERSONATE', { scope: 'named', keyword: 'USER', name: 'etl' }],
      ['GRANT', 'REFERENCES', { scope: 'schema-bound', keyword: 'TYPE', schema: 'dbo', name: 'money_t' }],
      ['GRANT', 'VIEW DEFINITION', { scope: 'named', keyword: 'SYMMETRIC KEY', name: 'k1' }],
      ['GRANT', 'CONTROL', { scope: 'named', keyword: 'CERTIFICATE', name: 'c1' }],
    ]);
  });

  it('equal permissions plan nothing (re-sync is idempotent)', () => {
    const original = permissionsOf(DATABASE_PERMISSIONS, 'app_user');
    expect(planPermissionSync(original, original)).toEqual([]);
  });

  it('a held grant option becomes a plain grant with REVOKE GRANT OPTION FOR; a DENY over it cascades', () => {
    const w = { permission: 'SELECT', state: 'W' as const, securable: { scope: 'database' as const } };
    expect(planPermissionSync([{ ...w, state: 'G' }], [w])).toEqual([
      { verb: 'REVOKE GRANT OPTION FOR', permission: { ...w, state: 'G' } },
    ]);
    expect(planPermissionSync([{ ...w, state: 'D' }], [w])).toEqual([
      { verb: 'DENY', cascade: true, permission: { ...w, state: 'D' } },
    ]);
  });

  it('refuses classes it cannot name (availability group, class 108)', () => {
    expect(() => securableOf(AVAILABILITY_GROUP_PERMISSION)).toThrow(UnsupportedPermissionClassError);
    expect(() => securableOf(AVAILABILITY_GROUP_PERMISSION)).toThrow(/AVAILABILITY GROUP \(class 108\)/);
  });

  it('server roles: adds and drops what the superuser may, reports fixed roles it may not', () => {
    expect(planRoleSync(SERVER_ROLES, 'app', 'app_clone')).toEqual({
      add: ['app_monitoring', 'processadmin'],
      drop: ['setupadmin'],
      cannotAdd: ['bulkadmin'],
      cannotDrop: ['diskadmin'],
    });
  });

  it('database roles: rows without `manageable` count as manageable', () => {
    expect(planRoleSync(DATABASE_ROLES, 'app_user', 'app_user_clone')).toEqual({
      add: ['db_datareader', 'reporting]role'],
      drop: ['db_datawriter'],
      cannotAdd: [],
      cannotDrop: [],
    });
  });
});
