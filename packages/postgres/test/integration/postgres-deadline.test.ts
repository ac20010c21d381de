import { createServer, type Server, type Socket } from 'node:net';
import { Deadline, DeadlineExceededError } from '@rotor/rotation-core';
import { ConformanceHarness, describeWithDatabase } from '@rotor/testkit';
import { Client } from 'pg';
import { connectPostgres } from '../../src/postgres-connection';
import { quoteIdent } from '../../src/postgres-sql';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';

/** A Lambda context whose function has `ms` left from now, as the runtime reports it. */
const lambdaContextWith = (ms: number) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
};

describeWithDatabase('postgres', 'postgres statements end before the deadline', (server) => {
  let h: ConformanceHarness;
  let database: string;

  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    database = h.adapter.superuser().dbname as string;
    await h.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await dropAdapterDatabases();
  });

  afterEach(async () => {
    await h.assertNoSecretsLogged();
  });

  it('setSecret blocked by a lock on the role fails naming the timeout, and the password is unchanged', async () => {
    const user = await h.appUser('rot_dl');
    const arn = await h.createSecret('dl', h.secretFor(user));
    const token = await h.beginRotation(arn);
    await h.step('single-user', arn, token, 'createSecret');
    const pending = await h.value(arn, 'AWSPENDING');

    // Another session changed the same role and has not committed: ALTER ROLE waits for it.
    const blocker = await asSuperuserClient();
    let failure: unknown;
    try {
      await blocker.query('BEGIN');
      await blocker.query(`ALTER ROLE ${quoteIdent(user.username)} CONNECTION LIMIT 7`);
      await h
        .handler('single-user')(
          { Step: 'setSecret', SecretId: arn, ClientRequestToken: token },
          lambdaContextWith(4_500),
        )
        .catch((error: unknown) => {
          failure = error;
        });
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }

    expect(failure).toBeInstanceOf(Error);
    const error = failure as Error;
    expect(['DeadlineExceededError', 'DatabaseChangeError']).toContain(error.name);
    expect(error.message).toContain(`setting the password of role ${quoteIdent(user.username)}`);
    expect(error.message).toMatch(/did not finish within \d+ ms and was cancelled/);
    expect(error.message).not.toContain(pending.password as string);
    expect(error.message).not.toContain(user.password);

    // Nothing landed: the old password still logs in, the pending one does not.
    expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
    expect(await h.adapter.canLogin(user.username, pending.password as string)).toBe(false);
  }, 60_000);

  it('a statement running past the deadline is cancelled by the server with DeadlineExceededError', async () => {
    const su = h.adapter.superuser();
    const client = await connectPostgres({
      host: su.host,
      port: su.port,
      username: su.username,
      password: su.password,
      dbname: database,
      tls: false,
      connectTimeoutMs: 5_000,
      deadline: Deadline.after(2_000),
      secret: {} as never,
    });
    try {
      const error = await client.query('SELECT pg_sleep(10)').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as Error).message).toMatch(/^a SELECT statement did not finish within \d+ ms/);
      expect((error as Error).cause).toMatchObject({ code: '57014' });
    } finally {
      await client.end().catch(() => undefined);
    }
  }, 30_000);

  it('the session timeouts it sends never exceed the time left', async () => {
    const su = h.adapter.superuser();
    const deadline = Deadline.after(6_000);
    const client = await connectPostgres({
      host: su.host,
      port: su.port,
      username: su.username,
      password: su.password,
      dbname: database,
      tls: false,
      connectTimeoutMs: 5_000,
      deadline,
      secret: {} as never,
    });
    try {
      const shown = await client.query<{ s: string; l: string }>(
        "SELECT current_setting('statement_timeout') AS s, current_setting('lock_timeout') AS l",
      );
      const row = shown.rows[0] as { s: string; l: string };
      expect(milliseconds(row.s)).toBeLessThanOrEqual(3_000);
      expect(milliseconds(row.l)).toBeLessThanOrEqual(3_000);
      expect(milliseconds(row.s)).toBeGreaterThan(0);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  const asSuperuserClient = async (): Promise<Client> => {
    const su = h.adapter.superuser();
    const client = new Client({
      host: su.host,
      port: su.port,
      user: su.username,
      password: su.password,
      database,
    });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
});

describe('postgres connect without a database', () => {
  let listener: Server;
  const sockets: Socket[] = [];
  let port: number;

  beforeAll(async () => {
    // Accepts TCP and never answers the startup packet.
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
    const error = await connectPostgres({
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

  it('starts nothing when no time is left', async () => {
    const deadline = Deadline.after(0);
    await expect(
      connectPostgres({
        host: '127.0.0.1',
        port,
        username: 'nobody',
        password: 'irrelevant-password',
        tls: false,
        connectTimeoutMs: 5_000,
        deadline,
        secret: {} as never,
      }),
    ).rejects.toThrow(/no time left before the function's deadline to start connecting to 127\.0\.0\.1/);
  });
});

/** PostgreSQL shows timeouts as `1500ms` or `2s`. */
function milliseconds(shown: string): number {
  const match = /^(\d+)(ms|s|min)?$/.exec(shown);
  if (!match) throw new Error(`unexpected setting ${shown}`);
  const n = Number(match[1]);
  return match[2] === 's' ? n * 1000 : match[2] === 'min' ? n * 60_000 : n;
}
