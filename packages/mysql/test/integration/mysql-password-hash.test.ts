// New passwords travel as the server's stored hash: rotations on the real server, with the general
// log briefly written to mysql.general_log, must leave no password in any statement text.
import { ConformanceHarness, describeWithDatabase, uniqueName } from '@rotor/testkit';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';
import { mysqlAccounts } from './mysql-accounts';

const WIDE_LIMIT = { USERNAME_CHARACTER_LIMIT: '32' };

describeWithDatabase('mariadb', 'mariadb: passwords are sent as hashes', (server) => {
  let h: ConformanceHarness;
  let superuserArn = '';
  const mysql = mysqlAccounts(() => h, server);
  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    await h.start();
    superuserArn = await h.superuserSecret();
    await mysql.admin(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.plugins WHERE plugin_name = 'ed25519' AND plugin_status = 'ACTIVE'",
      );
      if (Number(rows[0]?.n) === 0) await c.query("INSTALL SONAME 'auth_ed25519'");
    });
  }, 60_000);
  afterAll(async () => {
    await h.stop();
    await mysql.dropDatabases();
    await dropAdapterDatabases();
  }, 60_000);

  /** Runs `fn` with the general log on, into mysql.general_log; returns the statements of `user`'s rotations. */
  const withGeneralLog = async (fn: () => Promise<void>): Promise<void> => {
    const before = await mysql.admin(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(
        'SELECT @@GLOBAL.general_log AS on_, @@GLOBAL.log_output AS output',
      );
      return { on: Number(rows[0]?.on_), output: String(rows[0]?.output) };
    });
    try {
      await mysql.admin(async (c) => {
        await c.query("SET GLOBAL log_output = 'TABLE'");
        await c.query('SET GLOBAL general_log = ON');
      });
      await fn();
    } finally {
      await mysql.admin(async (c) => {
        await c.query(`SET GLOBAL general_log = ${before.on ? 'ON' : 'OFF'}`);
        await c.query('SET GLOBAL log_output = ?', [before.output]);
      });
    }
  };
  const logged = (needle: string): Promise<number> =>
    mysql.admin(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM mysql.general_log WHERE INSTR(argument, ?) > 0',
        [Buffer.from(needle, 'utf8')],
      );
      return Number(rows[0]?.n);
    });

  it.each([
    ['mysql_native_password', 'single-user'],
    ['ed25519', 'single-user'],
    ['mysql_native_password', 'alternating-users'],
    ['ed25519', 'alternating-users'],
  ] as const)('%s, %s: no statement text holds a password', async (plugin, strategy) => {
    const user = uniqueName('ph_app');
    const password = h.newPassword();
    await mysql.user(
      user,
      password,
      ['%'],
      plugin === 'ed25519'
        ? `IDENTIFIED VIA ed25519 USING PASSWORD('${password}')`
        : `IDENTIFIED BY '${password}'`,
    );
    const fields: Record<string, unknown> = { username: user, password };
    if (strategy === 'alternating-users') fields.masterarn = superuserArn;
    const arn = await mysql.createSecret(fields);
    const lambda = h.lambda(strategy, WIDE_LIMIT);
    const passwords: string[] = [];
    await withGeneralLog(async () => {
      // Alternating: the first rotation creates the clone, the second sets the original's password.
      for (let i = 0; i < (strategy === 'alternating-users' ? 2 : 1); i++) {
        await h.expectRotated(arn, await h.rotateWith(arn, lambda));
        const current = await h.value(arn);
        passwords.push(current.password as string);
        expect(await h.adapter.canLogin(current.username as string, current.password as string)).toBe(true);
      }
    });
    for (const p of passwords) expect(await logged(p)).toBe(0);
    // The log did record the rotations' password statements, by hash.
    expect(await logged(strategy === 'single-user' ? 'SET PASSWORD = ' : 'IDENTIFIED VIA')).toBeGreaterThan(
      0,
    );
    const [rows] = await mysql.admin((c) =>
      c.execute<RowDataPacket[]>('SELECT DISTINCT plugin FROM mysql.user WHERE User IN (?, ?)', [
        user,
        `${user}_clone`,
      ]),
    );
    expect(rows.map((r) => String(r.plugin))).toEqual([plugin]);
  });
});

for (const target of ['mysql80', 'mysql84'] as const) {
  describeWithDatabase(target, `${target}: caching_sha2_password hashes`, (server) => {
    let h: ConformanceHarness;
    let superuserArn = '';
    const mysql = mysqlAccounts(() => h, server);
    beforeAll(async () => {
      h = new ConformanceHarness(await createTestAdapter(server()));
      await h.start();
      superuserArn = await h.superuserSecret();
    }, 60_000);
    afterAll(async () => {
      await h.stop();
      await mysql.dropDatabases();
      await dropAdapterDatabases();
    }, 60_000);

    it('creates the clone and sets passwords with IDENTIFIED WITH caching_sha2_password AS <hash>; they log in', async () => {
      const user = uniqueName('ph_app');
      const password = h.newPassword();
      await mysql.user(user, password, ['%'], `IDENTIFIED WITH caching_sha2_password BY '${password}'`);
      const arn = await mysql.createSecret({ username: user, password, masterarn: superuserArn });
      const lambda = h.lambda('alternating-users', WIDE_LIMIT);
      for (let i = 0; i < 2; i++) {
        await h.expectRotated(arn, await h.rotateWith(arn, lambda));
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(current.username as string, current.password as string)).toBe(true);
      }
      const [rows] = await mysql.admin((c) =>
        c.execute<RowDataPacket[]>(
          'SELECT plugin, LEFT(authentication_string, 7) AS head FROM mysql.user WHERE User IN (?, ?)',
          [user, `${user}_clone`],
        ),
      );
      expect(rows.map((r) => [String(r.plugin), String(r.head)])).toEqual([
        ['caching_sha2_password', '$A$005$'],
        ['caching_sha2_password', '$A$005$'],
      ]);
    });
  });
}
