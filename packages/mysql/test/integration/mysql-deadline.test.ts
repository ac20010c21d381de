import { createServer, type Server, type Socket } from 'node:net';
import { Deadline, DeadlineExceededError } from '@rotor/rotation-core';
import { ConformanceHarness, describeWithDatabase, mysqlAdminConnection } from '@rotor/testkit';
import { connectMysql } from '../../src/mysql-connection';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';

/** A Lambda context whose function has `ms` left from now, as the runtime reports it. */
const lambdaContextWith = (ms: number) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
};

describeWithDatabase('mariadb', 'mariadb statements end before the deadline', (server) => {
  let h: ConformanceHarness;

  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    await h.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await dropAdapterDatabases();
  });

  afterEach(async () => {
    await h.assertNoSecretsLogged();
  });

  it('setSecret waiting behind FLUSH TABLES WITH READ LOCK fails naming the timeout, and nothing lands', async () => {
    const user = await h.appUser('rot_dl');
    const arn = await h.createSecret('dl', h.secretFor(user));
    const token = await h.beginRotation(arn);
    await h.step('single-user', arn, token, 'createSecret');
    const pending = await h.value(arn, 'AWSPENDING');

    // A backup's global read lock, on the shared server: held only for this one step, released in finally.
    const backup = await mysqlAdminConnection(server());
    let failure: unknown;
    try {
      await backup.query('FLUSH TABLES WITH READ LOCK');
      await h
        .handler('single-user')(
          { Step: 'setSecret', SecretId: arn, ClientRequestToken: token },
          lambdaContextWith(4_500),
        )
        .catch((error: unknown) => {
          failure = error;
        });
    } finally {
      await backup.query('UNLOCK TABLES').catch(() => undefined);
      await backup.end();
    }

    expect(failure).toBeInstanceOf(Error);
    const error = failure as Error;
    expect(['DeadlineExceededError', 'DatabaseChangeError']).toContain(error.name);
    expect(error.message).toContain(`setting the password of user ${JSON.stringify(user.username)}`);
    expect(error.message).toMatch(/did not finish within \d+ ms and was cancelled/);
    expect(error.message).not.toContain(pending.password as string);
    expect(error.message).not.toContain(user.password);

    // After the lock is gone, nothing landed: the old password logs in, the pending one does not.
    expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
    expect(await h.adapter.canLogin(user.username, pending.password as string)).toBe(false);
  }, 60_000);

  it('a statement running past the deadline is cancelled by the server with DeadlineExceededError', async () => {
    const su = h.adapter.superuser();
    const connection = await connectMysql({
      host: su.host,
      port: su.port,
      username: su.username,
      password: su.password,
      tls: false,
      connectTimeoutMs: 5_000,
      deadline: Deadline.after(2_000),
      secret: {} as never,
    });
    try {
      const error = await connection.query('SELECT SLEEP(10)').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as Error).message).toMatch(/^a SELECT statement did not finish within \d+ ms/);
      expect((error as Error).cause).toMatchObject({ errno: 1969 });
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  }, 30_000);

  it('the session limit it sets never exceeds the time left', async () => {
    const su = h.adapter.superuser();
    const connection = await connectMysql({
      host: su.host,
      port: su.port,
      username: su.username,
      password: su.password,
      tls: false,
      connectTimeoutMs: 5_000,
      deadline: Deadline.after(6_000),
      secret: {} as never,
    });
    try {
      const [rows] = await connection.query('SELECT @@SESSION.max_statement_time AS t');
      const seconds = Number((rows as { t: unknown }[])[0]?.t);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(3);
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  });
});

describe('mysql connect without a database', () => {
  let listener: Server;
  const sockets: Socket[] = [];
  let port: number;

  beforeAll(async () => {
    // Accepts TCP and never sends the server greeting.
    listener = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('gives up at the deadline when it comes before connectTimeoutMs, naming the endpoint', async () => {
    const error = await connectMysql({
      host: '127.0.0.1',
      port,
      username: 'nobody',
      password: 'irrelevant-password',
      tls: false,
      connectTimeoutMs: 60_000,
      deadline: Deadline.after(500),
      secret: {} as never,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toContain(`connecting to 127.0.0.1:${port}`);
  });
});
