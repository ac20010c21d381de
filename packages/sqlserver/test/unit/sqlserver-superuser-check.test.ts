import { sqlServerSuperuserPrivilegeProblems } from '../../src/sqlserver-superuser-check';
import { RecordingSession } from './recording-session';

// rotor doctor's privilege check over hand-written catalog rows (see test/fixtures/README.md),
// answered by a recording double of the mssql request layer, not a real server.

const identity = (over: Record<string, unknown> = {}) => [
  [
    {
      database_name: 'sales',
      login_name: 'admin',
      user_name: 'dbo',
      containment: 0,
      authentication_type: 1,
      is_policy_checked: true,
      ...over,
    },
  ],
];
const appLogin = [[{ name: 'app', type: 'S' }]];
const appUser = { name: 'app_user', type: 'S', authentication_type: 1, login_name: 'app', is_dbo: 0 };
const server = (isSysadmin: number, alterAnyLogin: number) => [
  [{ is_sysadmin: isSysadmin, alter_any_login: alterAnyLogin }],
];
const inDatabase = (alterAnyUser: number, roles: object[] = []) => [
  [{ alter_any_user: alterAnyUser }],
  roles,
];

/** The grants read: only CONNECT (which CREATE USER gives) unless `more`; `mayGrant` db_owner or CONTROL. */
const grants = (mayGrant: number, grantee = 'app_user', more: object[] = []) => [
  [],
  [{ grantee_name: grantee, class: 0, permission_name: 'CONNECT', state: 'G' }, ...more],
  [{ may_grant_permissions: mayGrant }],
];

/** RDS's master user: not sysadmin; ALTER ANY LOGIN; member of processadmin and setupadmin only. */
const RDS_SERVER_ROLES = [
  { member_name: 'app', role_name: 'processadmin', is_fixed_role: true, manageable: 1 },
  { member_name: 'app', role_name: 'bulkadmin', is_fixed_role: true, manageable: 0 },
  { member_name: 'app', role_name: 'diskadmin', is_fixed_role: true, manageable: 0 },
  { member_name: 'app_clone', role_name: 'diskadmin', is_fixed_role: true, manageable: 0 },
];

describe('rotor doctor superuser check over a recording double, not a real server', () => {
  it('a sysadmin (or ALTER ANY LOGIN and db_owner) holding every right: no problem', async () => {
    const session = new RecordingSession({
      'identity read': identity(),
      'login read': appLogin,
      'superuser permission read': server(1, 1),
      'server role read': [
        [{ member_name: 'app', role_name: 'processadmin', is_fixed_role: 1, manageable: 1 }],
      ],
      'user read in sales': [[appUser]],
      'superuser permission read in sales': inDatabase(1, [
        { role_name: 'db_datareader', is_fixed_role: 1, manageable: 1 },
      ]),
      'grant read in sales': grants(1),
    });
    expect(await sqlServerSuperuserPrivilegeProblems(session, 'app')).toEqual([]);
    // Names travel as parameters; the database check runs inside the secret's database.
    const inSales = session.sent.find((s) => s.what === 'superuser permission read in sales');
    expect(inSales?.params).toMatchObject({
      rotor_database: 'sales',
      original_user: 'app_user',
      clone_user: 'app_user_clone',
    });
    expect(inSales?.sql).toContain('USE ');
    expect(session.changes()).toEqual([]);
  });

  it("RDS's master user: names each fixed server role it cannot grant, not those the clone holds", async () => {
    const session = new RecordingSession({
      'identity read': identity({ login_name: 'rds_master' }),
      'login read': appLogin,
      'superuser permission read': server(0, 1),
      'server role read': [RDS_SERVER_ROLES],
      'user read in sales': [[appUser]],
      'superuser permission read in sales': inDatabase(1),
      'grant read in sales': grants(0),
    });
    const problems = await sqlServerSuperuserPrivilegeProblems(session, 'app');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('login "rds_master" cannot add "app_clone" to server role(s) bulkadmin,');
    expect(problems[0]).not.toMatch(/processadmin|diskadmin/);
    expect(problems[0]).toMatch(/fixed server role .* sysadmin or its own members; RDS's master user/);
    expect(problems[0]).toMatch(/log each one as NOT synced/);
  });

  it('lacking ALTER ANY LOGIN, ALTER ANY USER and the database roles: one sentence each', async () => {
    const session = new RecordingSession({
      'identity read': identity({ login_name: 'helpdesk' }),
      'login read': appLogin,
      'superuser permission read': server(0, 0),
      'server role read': [
        [{ member_name: 'app', role_name: 'app_monitoring', is_fixed_role: 0, manageable: 0 }],
      ],
      'user read in sales': [[appUser]],
      'superuser permission read in sales': inDatabase(0, [
        { role_name: 'db_datawriter', is_fixed_role: 1, manageable: 0 },
        { role_name: 'reporting', is_fixed_role: 0, manageable: 0 },
        { role_name: 'db_datareader', is_fixed_role: 1, manageable: 1 },
      ]),
      'grant read in sales': grants(0),
    });
    expect(await sqlServerSuperuserPrivilegeProblems(session, 'app')).toEqual([
      'login "helpdesk" lacks ALTER ANY LOGIN, which creating login "app_clone" and setting its password need',
      expect.stringMatching(
        /^login "helpdesk" cannot add "app_clone" to server role\(s\) app_monitoring, .*needs ALTER ANY SERVER ROLE or ownership/,
      ),
      'login "helpdesk" lacks ALTER ANY USER in database sales, which creating user "app_user_clone" there needs',
      'login "helpdesk" cannot add members to fixed database role(s) db_datawriter in database sales, which "app_user" is in (only db_owner can); the rotation refuses before any change',
      'login "helpdesk" cannot add members to database role(s) reporting in database sales, which "app_user" is in (needs ALTER on the role, ALTER ANY ROLE or db_owner); the rotation refuses before any change',
    ]);
  });

  it('dbname master: checks each database the superuser can enter where the original has a user', async () => {
    const session = new RecordingSession({
      'identity read': identity({ database_name: 'master' }),
      'login read': appLogin,
      'superuser permission read': server(0, 1),
      'server role read': [[]],
      'database list': [[{ name: 'hr' }, { name: 'master' }, { name: 'sales' }]],
      'user read in hr': [[]],
      'user read in master': [[]],
      'user read in sales': [[appUser, { ...appUser, name: 'app_user_clone', login_name: 'app_clone' }]],
      'superuser permission read in sales': inDatabase(0),
      'grant read in sales': [
        [],
        ['app_user', 'app_user_clone'].map((g) => ({
          grantee_name: g,
          class: 0,
          permission_name: 'CONNECT',
          state: 'G',
        })),
        [{ may_grant_permissions: 0 }],
      ],
    });
    expect(await sqlServerSuperuserPrivilegeProblems(session, 'app')).toEqual([
      expect.stringContaining('lacks ALTER ANY USER in database sales'),
    ]);
    // A database without the original's user needs nothing (the engine skips it too).
    expect(session.sent.map((s) => s.what)).not.toContain('superuser permission read in hr');
  });

  it('without db_owner or CONTROL on the database: names each permission the clone would need', async () => {
    const select = {
      grantee_name: 'app_user',
      class: 1,
      permission_name: 'SELECT',
      state: 'G',
      schema_name: 'dbo',
      securable_name: 'orders',
    };
    const session = new RecordingSession({
      'identity read': identity({ login_name: 'rds_master' }),
      'login read': appLogin,
      'superuser permission read': server(0, 1),
      'server role read': [[]],
      'user read in sales': [[appUser]],
      'superuser permission read in sales': inDatabase(1),
      'grant read in sales': grants(0, 'app_user', [select]),
    });
    expect(await sqlServerSuperuserPrivilegeProblems(session, 'app')).toEqual([
      'login "rds_master" cannot copy GRANT SELECT ON OBJECT::[dbo].[orders] TO [app_user_clone] in database sales (needs db_owner or CONTROL on the database); the rotation refuses before any change',
    ]);
    expect(session.sent.find((s) => s.what === 'grant read in sales')?.params).toMatchObject({
      rotor_database: 'sales',
      original_user: 'app_user',
      clone_user: 'app_user_clone',
    });
  });

  it('the secret names a database where the original login has no user: says the rotation refuses', async () => {
    const session = new RecordingSession({
      'identity read': identity(),
      'login read': appLogin,
      'superuser permission read': server(1, 1),
      'server role read': [[]],
      'user read in sales': [[]],
    });
    expect(await sqlServerSuperuserPrivilegeProblems(session, 'app')).toEqual([
      'login "app" has no user in database sales; the rotation refuses until it has one',
    ]);
  });

  it('a contained-user original: only ALTER ANY USER and roles in its own database', async () => {
    // The contained path runs its database batch in the session's own database, without USE.
    const contained = new RecordingSession({
      'identity read': identity({ login_name: null, user_name: 'owner', authentication_type: 2 }),
      'login read': [[]],
      'user read': [[{ name: 'app', type: 'S', authentication_type: 2, login_name: null, is_dbo: 0 }]],
      'superuser permission read in sales': (b) =>
        b.sql.includes('USE ') ? new Error('the current database needs no USE') : inDatabase(0),
      'grant read in sales': grants(0, 'app'),
    });
    expect(await sqlServerSuperuserPrivilegeProblems(contained, 'app')).toEqual([
      'contained user "owner" lacks ALTER ANY USER in database sales, which creating user "app_clone" there needs',
    ]);
    expect(contained.sent.map((s) => s.what)).not.toContain('superuser permission read');
  });

  it('neither a login nor a contained user with a password: says so', async () => {
    const session = new RecordingSession({
      'identity read': identity(),
      'login read': [[]],
      'user read': [[]],
    });
    expect(await sqlServerSuperuserPrivilegeProblems(session, 'ghost')).toEqual([
      '"ghost" is neither a SQL Server login nor a contained user with a password in database sales',
    ]);
  });
});
