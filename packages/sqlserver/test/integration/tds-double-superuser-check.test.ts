import { Deadline, Logger } from '@rotor/rotation-core';
import { TdsProtocolDouble } from '@rotor/testkit';
import { sqlServerEngine } from '../../src';
import type { SqlSession } from '../../src/sqlserver-connection';

// rotor doctor's superuser check and an alternating rotation by an RDS-like master user, over the
// real mssql/tedious driver against the testkit's TDS PROTOCOL DOUBLE, not a real SQL Server (none
// can run here). The double answers HAS_PERMS_BY_NAME / IS_SRVROLEMEMBER / IS_ROLEMEMBER from its
// catalog with the rules it also applies to the DDL, so the check and the rotation agree.

const SA = { username: 'rotor_sa', password: `Sa-${Date.now()}-Pw!` };
const MASTER = { username: 'rds_master', password: 'Master-Pw-2024!' };
const HELPDESK = { username: 'helpdesk', password: 'Helpdesk-Pw-2024!' };
const APP = { username: 'app', password: 'App-Pw-2024-x!' };

describe('TDS protocol double, not a real SQL Server: rotor doctor superuser check', () => {
  let double: TdsProtocolDouble;
  const open: SqlSession[] = [];

  const connect = async (who: { username: string; password: string }, dbname = 'shop') => {
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
  const problems = async (who: { username: string; password: string }, dbname = 'shop') => {
    const check = sqlServerEngine.superuserPrivilegeProblems;
    if (!check) throw new Error('the engine declares no superuser check');
    return check(await connect(who, dbname), APP.username);
  };

  beforeAll(async () => {
    double = await TdsProtocolDouble.start({ superuser: SA });
    const { state } = double;
    // RDS's master user: not sysadmin; ALTER ANY LOGIN; in processadmin and setupadmin; db_owner.
    state.createLogin(MASTER.username, MASTER.password, { checkPolicy: false });
    state.serverPermissions.push({
      grantee: MASTER.username,
      permission: 'ALTER ANY LOGIN',
      state: 'G',
      class: 100,
    });
    for (const role of ['processadmin', 'setupadmin'])
      state.serverRoles.get(role)?.members.add(MASTER.username);
    state.createLogin(HELPDESK.username, HELPDESK.password, { checkPolicy: false });
    const shop = state.createDatabase('shop', SA.username);
    state.createUser(shop, MASTER.username, { login: MASTER.username });
    shop.roles.get('db_owner')?.members.add(MASTER.username);
    state.createUser(shop, HELPDESK.username, { login: HELPDESK.username });
    // The original: in processadmin (the master user may add members) and bulkadmin (it may not).
    state.createLogin(APP.username, APP.password, { defaultDatabase: 'shop' });
    for (const role of ['processadmin', 'bulkadmin']) state.serverRoles.get(role)?.members.add(APP.username);
    state.createUser(shop, 'app_user', { login: APP.username });
    shop.roles.get('db_datareader')?.members.add('app_user');
  });

  afterAll(async () => {
    for (const s of open) await sqlServerEngine.close(s);
    await double?.stop();
  });

  it('a sysadmin superuser: nothing missing', async () => {
    expect(await problems(SA)).toEqual([]);
  });

  it('an RDS-like master user: names bulkadmin, the one fixed server role it cannot grant', async () => {
    const found = await problems(MASTER);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^login "rds_master" cannot add "app_clone" to server role\(s\) bulkadmin, /);
  });

  it('a login without ALTER ANY LOGIN, ALTER ANY USER or db_owner: each named', async () => {
    expect(await problems(HELPDESK)).toEqual([
      'login "helpdesk" lacks ALTER ANY LOGIN, which creating login "app_clone" and setting its password need',
      expect.stringContaining('server role(s) bulkadmin, processadmin,'),
      'login "helpdesk" lacks ALTER ANY USER in database shop, which creating user "app_user_clone" there needs',
      'login "helpdesk" cannot add members to fixed database role(s) db_datareader in database shop, which "app_user" is in (only db_owner can); the rotation refuses before any change',
    ]);
  });

  it('the rotation by the master user agrees: processadmin synced, bulkadmin reported, nothing half done', async () => {
    const session = await connect(MASTER);
    const newPassword = 'Clone-Pw-2024-y!';
    const outcome = await sqlServerEngine.upsertAlternateUser(
      session,
      {
        username: 'app_clone',
        newPassword,
        originalUsername: APP.username,
        cloneUsername: 'app_clone',
        currentUsername: APP.username,
        currentPassword: APP.password,
        secret: { host: '127.0.0.1', port: double.port, ...APP, dbname: 'shop', ssl: 'disable', fields: {} },
      },
      { log: new Logger({ sink: () => {} }), env: {}, deadline: Deadline.after(20_000) },
    );
    expect(outcome.created).toBe(true);
    expect(outcome.privilegeChanges).toEqual(
      expect.arrayContaining([
        'added [app_clone] to server role [processadmin]',
        expect.stringMatching(/^NOT synced: server role \[bulkadmin\]/),
        'added [app_user_clone] to role [db_datareader] in shop',
      ]),
    );
    const { state } = double;
    expect(state.serverRolesOf('app_clone').sort()).toEqual(['processadmin']);
    await expect(connect({ username: 'app_clone', password: newPassword })).resolves.toBeDefined();
    // The clone still lacks bulkadmin, so doctor still names it; the rest is in place.
    const after = await problems(MASTER);
    expect(after).toEqual([expect.stringContaining('server role(s) bulkadmin,')]);
  });
});
