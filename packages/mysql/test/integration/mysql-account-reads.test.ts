// The one SELECT that reads the server's facts and both users' accounts, against the real server:
// hostile and near-identical names, users without accounts, and the hand-over between hooks.
import { Deadline, type EngineContext, Logger } from '@rotor/rotation-core';
import { ConformanceHarness, describeWithDatabase, uniqueName } from '@rotor/testkit';
import { AccountReads } from '../../src/mysql-account-reads';
import { mysqlEngine } from '../../src/mysql-engine';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';
import { mysqlAccounts } from './mysql-accounts';

describeWithDatabase('mariadb', 'mariadb: account reads', (server) => {
  let h: ConformanceHarness;
  const mysql = mysqlAccounts(() => h, server);
  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    await h.start();
  }, 60_000);
  afterAll(async () => {
    await h.stop();
    await dropAdapterDatabases();
  }, 60_000);

  const asSuperuser = async <T>(fn: (c: Awaited<ReturnType<typeof mysql.connectAs>>) => Promise<T>) => {
    const c = await mysql.connectAs(h.adapter.superuser().username, h.adapter.superuser().password);
    try {
      return await fn(c);
    } finally {
      await mysqlEngine.close(c);
    }
  };

  it('reads each user exactly, hosts in order, whatever the name holds', async () => {
    const base = uniqueName('ar');
    const hostile = `${base}'q\\b ü`;
    const upper = hostile.toUpperCase();
    await mysql.user(hostile, h.newPassword(), ['%', 'localhost']);
    await mysql.user(upper, h.newPassword(), ['10.0.0.%']);
    const reads = await asSuperuser((c) => AccountReads.load(c, [hostile, upper, `${base}_none`]));
    expect(reads.facts.version.family).toBe('mariadb');
    expect(reads.accounts(hostile).map((a) => a.host)).toEqual(['%', 'localhost']);
    expect(reads.accounts(upper).map((a) => a.host)).toEqual(['10.0.0.%']);
    expect(reads.accounts(`${base}_none`)).toEqual([]);
    expect(reads.accounts(hostile)[0]?.settings.maxStatementTime).toBe(0);
  });

  it('hands the reads of privilegeEscalations to upsertAlternateUser on the same session, once', async () => {
    const user = uniqueName('ar_app');
    await mysql.user(user, h.newPassword());
    const clone = `${user}_clone`;
    const context = (): EngineContext => ({
      log: new Logger({ sink: () => undefined }),
      env: {},
      deadline: Deadline.after(30_000),
    });
    await asSuperuser(async (c) => {
      const hook = mysqlEngine.privilegeEscalations;
      if (hook === undefined) throw new Error('the MySQL engine has no privilegeEscalations hook');
      expect(await hook(c, { originalUsername: user, cloneUsername: clone }, context())).toEqual([]);
      const reads = AccountReads.take(c, [user, clone]);
      expect(reads?.accounts(user).map((a) => a.host)).toEqual(['%']);
      expect(AccountReads.take(c, [user, clone])).toBeUndefined();
    });
    // The hand-over is for the same two users only.
    await asSuperuser(async (c) => {
      const hook = mysqlEngine.privilegeEscalations;
      await hook?.(c, { originalUsername: user, cloneUsername: clone }, context());
      expect(AccountReads.take(c, [clone, user])).toBeUndefined();
    });
  });
});
