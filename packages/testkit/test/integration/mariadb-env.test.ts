import { createConnection } from 'mysql2/promise';
import { describeWithDatabase } from '../../src/jest/describe-with-database';
import { mysqlAdminConnection } from '../../src/mysql-admin-connection';
import { uniqueName } from '../../src/unique-name';

// Runs when ROTOR_TEST_MARIADB_URL names a server (e.g. mysql://root:@127.0.0.1:3306) or Docker is up;
// otherwise prints its SKIP line.
describeWithDatabase('mariadb', 'the provisioned MariaDB server', (server) => {
  it('reports its version and lets the superuser log in', async () => {
    expect(server().version).toMatch(/MariaDB/);
    const admin = await mysqlAdminConnection(server());
    try {
      const [rows] = await admin.query('SELECT CURRENT_USER() AS user');
      expect((rows as Array<{ user: string }>)[0]?.user).toMatch(new RegExp(`^${server().user}@`));
    } finally {
      await admin.end();
    }
  });

  it('publishes where the server sees the superuser come from, as USER() says', async () => {
    const admin = await mysqlAdminConnection(server());
    try {
      const [rows] = await admin.query('SELECT USER() AS account');
      const account = (rows as Array<{ account: string }>)[0]?.account ?? '';
      expect(server().clientHost).toBe(account.slice(account.lastIndexOf('@') + 1));
    } finally {
      await admin.end();
    }
  });

  it('checks passwords of a user a test creates, and drops it after', async () => {
    const admin = await mysqlAdminConnection(server());
    const user = uniqueName('tk_user_');
    const database = uniqueName('tk_db_');
    const { host, port } = server();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', 'first-pass']);
      await admin.query(`GRANT SELECT ON ${database}.* TO ?@?`, [user, '%']);
      const good = await createConnection({ host, port, user, password: 'first-pass', database });
      await good.end();
      await expect(
        createConnection({ host, port, user, password: 'wrong-pass', database }),
      ).rejects.toMatchObject({
        code: 'ER_ACCESS_DENIED_ERROR',
      });
    } finally {
      await admin.query('DROP USER IF EXISTS ?@?', [user, '%']);
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    }
  });
});
