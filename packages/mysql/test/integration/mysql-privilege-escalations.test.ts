// The engine's privilegeEscalations hook against the real server (core's refusal on its
// sentences is tested in rotation-core).
import { Deadline, type EngineContext, Logger } from '@rotor/rotation-core';
import { ConformanceHarness, describeWithDatabase, uniqueName } from '@rotor/testkit';
import { mysqlEngine } from '../../src/mysql-engine';
import { quoteAccount, quoteIdentifier } from '../../src/mysql-sql';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';
import { mysqlAccounts } from './mysql-accounts';

describeWithDatabase('mariadb', 'mariadb: privilegeEscalations', (server) => {
  let h: ConformanceHarness;
  const mysql = mysqlAccounts(() => h, server);
  let db = '';
  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    await h.start();
    db = await mysql.database();
  }, 60_000);
  afterAll(async () => {
    await h.stop();
    await mysql.dropDatabases();
    await dropAdapterDatabases();
  }, 60_000);

  const context = (): EngineContext => ({
    log: new Logger({ sink: () => undefined }),
    env: {},
    deadline: Deadline.after(30_000),
  });
  const escalations = async (originalUsername: string): Promise<string[]> => {
    const hook = mysqlEngine.privilegeEscalations;
    if (hook === undefined) throw new Error('the MySQL engine has no privilegeEscalations hook');
    const c = await mysql.connectAs(h.adapter.superuser().username, h.adapter.superuser().password);
    try {
      return await hook(c, { originalUsername, cloneUsername: `${originalUsername}_clone` }, context());
    } finally {
      await mysqlEngine.close(c);
    }
  };
  /** An original with SELECT on the test database, and (optionally) its clone with the same. */
  const pair = async (withClone: boolean) => {
    const user = uniqueName('pe_app');
    await mysql.user(user, h.newPassword());
    const grantSelect = (u: string) =>
      mysql.admin((c) =>
        c.query(`GRANT SELECT ON ${quoteIdentifier(db)}.* TO ${quoteAccount({ user: u, host: '%' })}`),
      );
    await grantSelect(user);
    if (withClone) {
      await mysql.admin((c) => c.query(`CREATE USER ${quoteAccount({ user: `${user}_clone`, host: '%' })}`));
      await grantSelect(`${user}_clone`);
    }
    return { user, clone: quoteAccount({ user: `${user}_clone`, host: '%' }) };
  };

  it('reports nothing for an original with database privileges, with or without a matching clone', async () => {
    expect(await escalations((await pair(false)).user)).toEqual([]);
    expect(await escalations((await pair(true)).user)).toEqual([]);
  });

  it('reports a pre-created clone holding CREATE USER globally', async () => {
    const { user, clone } = await pair(true);
    await mysql.admin((c) => c.query(`GRANT CREATE USER ON *.* TO ${clone}`));
    const found = await escalations(user);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(clone);
    expect(found[0]).toContain('(CREATE USER)');
  });

  it('reports a clone holding GRANT OPTION on *.*, or a global privilege through a role', async () => {
    const { user, clone } = await pair(true);
    const role = uniqueName('pe_role');
    try {
      await mysql.admin(async (c) => {
        await c.query(`GRANT USAGE ON *.* TO ${clone} WITH GRANT OPTION`);
        await c.query(`CREATE ROLE ${quoteIdentifier(role)}`);
        await c.query(`GRANT RELOAD ON *.* TO ${quoteIdentifier(role)}`);
        await c.query(`GRANT ${quoteIdentifier(role)} TO ${clone}`);
      });
      const found = await escalations(user);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/\(GRANT OPTION, RELOAD\)|\(RELOAD, GRANT OPTION\)/);
    } finally {
      await mysql.admin((c) => c.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`));
    }
  });

  it('reports an original holding administrative global privileges, and ALL PRIVILEGES', async () => {
    const { user } = await pair(false);
    const account = quoteAccount({ user, host: '%' });
    await mysql.admin((c) => c.query(`GRANT PROCESS, SELECT ON *.* TO ${account}`));
    const found = await escalations(user);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${account} holds administrative global privileges (PROCESS)`);

    await mysql.admin((c) => c.query(`GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION`));
    expect((await escalations(user))[0]).toContain('(ALL PRIVILEGES, GRANT OPTION)');
  });

  it('leaves alone a clone privilege the original also holds globally', async () => {
    const { user, clone } = await pair(true);
    await mysql.admin(async (c) => {
      await c.query(`GRANT SELECT ON *.* TO ${quoteAccount({ user, host: '%' })}`);
      await c.query(`GRANT SELECT ON *.* TO ${clone}`);
    });
    expect(await escalations(user)).toEqual([]);
  });
});
