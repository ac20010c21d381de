import { Deadline, Logger } from '@rotor/rotation-core';
import { TdsProtocolDouble } from '@rotor/testkit';
import { sqlServerEngine } from '../../src';
import { SqlServerUngrantableError } from '../../src/errors';
import type { SqlSession } from '../../src/sqlserver-connection';

// An alternating rotation by an RDS-like master user that is NOT db_owner in one database, over
// the real mssql/tedious driver against the testkit's TDS PROTOCOL DOUBLE, not a real SQL Server.
// The engine finds the database roles and permissions it may not hand out before any change and
// refuses: no login, no user, no role, and the original's credential still works.

const SA = { username: 'rotor_sa', password: `Sa-${Date.now()}-Pw!` };
const MASTER = { username: 'rds_master', password: 'Master-Pw-2024!' };
const APP = { username: 'app', password: 'App-Pw-2024-x!' };
const NEW = 'Clone-Pw-2024-y!';

describe('TDS protocol double, not a real SQL Server: database roles and permissions a master user that is not db_owner cannot grant', () => {
  let double: TdsProtocolDouble;
  const open: SqlSession[] = [];
  const warnings: string[] = [];

  const connect = async (who: { username: string; password: string }, dbname: string) => {
    const session = await sqlServerEngine.connect({
      host: '127.0.0.1',
      port: double.port,
      ...who,
      dbname,
      tls: false,
      connectTimeoutMs: 5_000,
      deadline: Deadline.after(20_000),
      secret: { host: '127.0.0.1', port: double.port, ...who, ssl: 'disable', fields: {} },
    });
    open.push(session);
    return session;
  };
  const rotate = async (dbname: string) =>
    sqlServerEngine.upsertAlternateUser(
      await connect(MASTER, dbname),
      {
        username: 'app_clone',
        newPassword: NEW,
        originalUsername: APP.username,
        cloneUsername: 'app_clone',
        currentUsername: APP.username,
        currentPassword: APP.password,
        secret: { host: '127.0.0.1', port: double.port, ...APP, dbname, ssl: 'disable', fields: {} },
      },
      {
        log: new Logger({ sink: (line) => warnings.push(String(line)) }),
        env: {},
        deadline: Deadline.after(20_000),
      },
    );

  beforeAll(async () => {
    double = await TdsProtocolDouble.start({ superuser: SA });
    const { state } = double;
    // RDS's master user: not sysadmin; ALTER ANY LOGIN; db_owner in shop only. In legacy (a
    // restored database) it has a user with ALTER ANY USER and nothing else.
    state.createLogin(MASTER.username, MASTER.password, { checkPolicy: false });
    state.serverPermissions.push({
      grantee: MASTER.username,
      permission: 'ALTER ANY LOGIN',
      state: 'G',
      class: 100,
    });
    const shop = state.createDatabase('shop', SA.username);
    state.createUser(shop, MASTER.username, { login: MASTER.username });
    shop.roles.get('db_owner')?.members.add(MASTER.username);
    const legacy = state.createDatabase('legacy', SA.username);
    state.createUser(legacy, MASTER.username, { login: MASTER.username });
    legacy.permissions.push({ grantee: MASTER.username, permission: 'ALTER ANY USER', state: 'G', class: 0 });
    legacy.tables.set('orders', [1]);
    // The original: db_datareader in both databases, SELECT on legacy's orders.
    state.createLogin(APP.username, APP.password, { defaultDatabase: 'shop' });
    for (const db of [shop, legacy]) {
      state.createUser(db, 'app_user', { login: APP.username });
      db.roles.get('db_datareader')?.members.add('app_user');
    }
  });

  afterAll(async () => {
    for (const s of open) await sqlServerEngine.close(s);
    await double?.stop();
  });

  it('dbname master: db_datareader in legacy is refused before the login or shop changes, nothing half done', async () => {
    const before = double.state.snapshot();
    const failure = rotate('master');
    await expect(failure).rejects.toThrow(SqlServerUngrantableError);
    await expect(failure).rejects.toThrow(
      'database legacy: this superuser cannot copy membership of role [db_datareader] to the clone (a fixed database role takes members only from db_owner; make the superuser db_owner there, or give [app_user_clone] these yourself); nothing was changed',
    );
    expect(double.state.snapshot()).toEqual(before);
    expect(double.state.login('app_clone')).toBeUndefined();
    await expect(connect(APP, 'legacy')).resolves.toBeDefined();
    // rotor doctor names the same role beforehand.
    const check = sqlServerEngine.superuserPrivilegeProblems;
    expect(await check?.(await connect(MASTER, 'master'), APP.username)).toEqual([
      'login "rds_master" cannot add members to fixed database role(s) db_datareader in database legacy, which "app_user" is in (only db_owner can); the rotation refuses before any change',
    ]);
  });

  it('a permission without db_owner or CONTROL on the database: refused, naming it', async () => {
    const legacy = double.state.database('legacy');
    legacy.roles.get('db_datareader')?.members.delete('app_user');
    legacy.permissions.push({
      grantee: 'app_user',
      permission: 'SELECT',
      state: 'G',
      class: 1,
      schema: 'dbo',
      name: 'orders',
    });
    const check = sqlServerEngine.superuserPrivilegeProblems;
    expect(await check?.(await connect(MASTER, 'legacy'), APP.username)).toEqual([
      expect.stringMatching(
        /^login "rds_master" cannot copy GRANT SELECT ON OBJECT::\[dbo\]\.\[orders\] TO \[app_user_clone\] in database legacy/,
      ),
    ]);
    const before = double.state.snapshot();
    await expect(rotate('legacy')).rejects.toThrow(
      /cannot copy GRANT SELECT ON OBJECT::\[dbo\]\.\[orders\] TO \[app_user_clone\] .*copying permissions needs db_owner or CONTROL on the database/,
    );
    expect(double.state.snapshot()).toEqual(before);
  });

  it('with CONTROL on legacy the permission is copied; db_datareader there still needs db_owner', async () => {
    const legacy = double.state.database('legacy');
    legacy.permissions.push({ grantee: MASTER.username, permission: 'CONTROL', state: 'G', class: 0 });
    const outcome = await rotate('legacy');
    expect(outcome.created).toBe(true);
    expect(outcome.privilegeChanges).toContain(
      'GRANT SELECT ON OBJECT::[dbo].[orders] TO [app_user_clone] in legacy',
    );
    legacy.roles.get('db_datareader')?.members.add('app_user');
    const before = double.state.snapshot();
    await expect(rotate('legacy')).rejects.toThrow(/membership of role \[db_datareader\]/);
    expect(double.state.snapshot()).toEqual(before);
  });

  it('once the master user is db_owner in legacy: dbname master syncs both databases and the clone reads', async () => {
    double.state.database('legacy').roles.get('db_owner')?.members.add(MASTER.username);
    const outcome = await rotate('master');
    expect(outcome.created).toBe(false);
    expect(outcome.privilegeChanges).toEqual([
      'added [app_user_clone] to role [db_datareader] in legacy',
      'created user [app_user_clone] in shop',
      'added [app_user_clone] to role [db_datareader] in shop',
    ]);
    const clone = await connect({ username: 'app_clone', password: NEW }, 'legacy');
    await expect(
      clone.run({ sql: 'SELECT TOP (1) id FROM dbo.[orders];', params: {} }, 'read'),
    ).resolves.toEqual([[{ id: 1 }]]);
    for (const line of warnings) expect(line).not.toContain(NEW);
  });
});
