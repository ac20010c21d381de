import { createServer, type Server, type Socket } from 'node:net';
import {
  type ConnectionSettings,
  Deadline,
  DeadlineExceededError,
  tlsSettingsFor,
} from '@rotor/rotation-core';
import {
  createTestCertificates,
  MongoProtocolDouble,
  opensslAvailable,
  type TestCertificates,
} from '@rotor/testkit';
import { closeConnection, openConnection, runCommand } from '../../src/documentdb-connection';
import { documentDbEngine } from '../../src/documentdb-engine';
import { secureContextFor } from '../../src/trust-store';

// The engine's connect, TLS and deadlines over real sockets, against the testkit's MongoDB
// PROTOCOL DOUBLE (a test double, not a server: no MongoDB can run here) and bare TCP listeners.
// TLS settings come from core's tlsSettingsFor, so the trust store is the production one (Node's
// roots and the Amazon RDS CAs) plus the test CA where a test trusts it.
const tls = opensslAvailable();
if (!tls)
  process.stdout.write('SKIP documentdb connection over TLS: no openssl command for test certificates\n');

const ROOT = { username: 'conn_root', password: `Root-${process.pid}-secret` };

function settings(
  port: number,
  options: {
    host?: string;
    extraCa?: readonly string[];
    plaintext?: boolean;
    username?: string;
    password?: string;
    dbname?: string;
    connectTimeoutMs?: number;
    deadline?: Deadline;
  } = {},
): ConnectionSettings {
  const host = options.host ?? 'localhost';
  const username = options.username ?? ROOT.username;
  const password = options.password ?? ROOT.password;
  return {
    host,
    port,
    username,
    password,
    dbname: options.dbname ?? 'admin',
    tls: options.plaintext ? false : tlsSettingsFor(host, options.extraCa ?? []),
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    deadline: options.deadline ?? Deadline.after(30_000),
    secret: { host, port, username, password, ssl: options.plaintext ? 'disable' : 'require', fields: {} },
  };
}

/** A TCP listener that accepts connections and never says anything; counts what connected. */
async function silentListener(): Promise<{
  port: number;
  connections: () => number;
  stop: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function connectFailure(work: Promise<unknown>): Promise<Error & { kind?: string }> {
  const error = await work.then(
    () => {
      throw new Error('connected, but a failure was expected');
    },
    (e: unknown) => e as Error & { kind?: string },
  );
  expect(error.message).not.toContain(ROOT.password);
  return error;
}

(tls ? describe : describe.skip)('documentdb connections to the MongoDB protocol double over TLS', () => {
  let certs: TestCertificates;
  let otherNameCerts: TestCertificates;
  let double: MongoProtocolDouble;
  let wrongName: MongoProtocolDouble;

  beforeAll(async () => {
    certs = createTestCertificates();
    otherNameCerts = createTestCertificates(['DNS:db.other-name.test']);
    double = await MongoProtocolDouble.start({
      flavour: 'documentdb',
      tls: { cert: certs.cert, key: certs.key },
      rootUser: ROOT,
    });
    wrongName = await MongoProtocolDouble.start({
      flavour: 'documentdb',
      tls: { cert: otherNameCerts.cert, key: otherNameCerts.key },
      rootUser: ROOT,
    });
  });

  afterAll(async () => {
    await double?.stop();
    await wrongName?.stop();
    certs?.remove();
    otherNameCerts?.remove();
  });

  afterEach(() => {
    double.beforeCommand = undefined;
  });

  it('logs in over verified TLS with the production trust store plus the test CA, and runs the test query', async () => {
    const connection = await openConnection(settings(double.port, { extraCa: [certs.ca] }));
    try {
      await documentDbEngine.runTestQuery(connection);
    } finally {
      await closeConnection(connection);
    }
  });

  it('parses a trust store once: the same list gets the same TLS context', () => {
    const { ca } = tlsSettingsFor('localhost', [certs.ca]);
    expect(secureContextFor(ca)).toBe(secureContextFor([...ca]));
    expect(secureContextFor(ca)).not.toBe(secureContextFor(tlsSettingsFor('localhost', []).ca));
  });

  it('refuses a certificate no trusted CA signed (a tls failure, no plaintext)', async () => {
    const error = await connectFailure(openConnection(settings(double.port)));
    expect(error).toMatchObject({ name: 'DocumentDbConnectError', kind: 'tls' });
    expect(documentDbEngine.classifyConnectError(error)).toBe('tls');
    expect(error.message).toMatch(new RegExp(`^TLS with localhost:${double.port} failed: .*certificate`));
  });

  it('refuses a trusted certificate issued for another host name', async () => {
    const error = await connectFailure(
      openConnection(settings(wrongName.port, { extraCa: [otherNameCerts.ca] })),
    );
    expect(documentDbEngine.classifyConnectError(error)).toBe('tls');
    expect(error.message).toMatch(/localhost.*does not match certificate's altnames/);
  });

  it('a wrong password is an authentication failure', async () => {
    const error = await connectFailure(
      openConnection(settings(double.port, { extraCa: [certs.ca], password: 'not-the-password' })),
    );
    expect(documentDbEngine.classifyConnectError(error)).toBe('authentication');
    expect(error.message).not.toContain('not-the-password');
  });

  it('refuses IAM users and serviceadmin before opening any connection', async () => {
    const listener = await silentListener();
    try {
      await expect(
        openConnection(settings(listener.port, { username: 'arn:aws:iam::123456789012:role/app' })),
      ).rejects.toMatchObject({ name: 'IamUserError', message: expect.stringMatching(/MONGODB-AWS/) });
      await expect(openConnection(settings(listener.port, { dbname: '$external' }))).rejects.toMatchObject({
        name: 'IamUserError',
      });
      await expect(
        openConnection(settings(listener.port, { username: 'serviceadmin' })),
      ).rejects.toMatchObject({
        name: 'UnsupportedMongoUserError',
        message: expect.stringMatching(/DocumentDB's service user/),
      });
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.stop();
    }
  });

  it('a command the server never answers fails at the deadline, naming the command', async () => {
    const connection = await openConnection(settings(double.port, { extraCa: [certs.ca] }));
    try {
      double.beforeCommand = (command) => (command.ping === undefined ? undefined : 'no-reply');
      const error = await runCommand(connection, 'admin', { ping: 1 }, 'ping', Deadline.after(300)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as Error).message).toMatch(/^ping did not finish within \d+ ms/);
    } finally {
      await closeConnection(connection);
    }
  });

  it('closing a session whose server stopped answering returns', async () => {
    const connection = await openConnection(settings(double.port, { extraCa: [certs.ca] }));
    await runCommand(connection, 'admin', { ping: 1 }, 'ping');
    double.beforeCommand = () => 'no-reply';
    await expect(closeConnection(connection)).resolves.toBeUndefined();
  });

  it('closing after the deadline drops the sockets at once', async () => {
    const connection = await openConnection(settings(double.port, { extraCa: [certs.ca] }));
    double.beforeCommand = () => 'no-reply';
    await expect(closeConnection({ ...connection, deadline: Deadline.after(0) })).resolves.toBeUndefined();
  });
});

describe('documentdb connections that cannot be made', () => {
  it('nothing listening: a network failure naming the endpoint', async () => {
    const listener = await silentListener();
    const port = listener.port;
    await listener.stop();
    const error = await connectFailure(
      openConnection(settings(port, { plaintext: true, connectTimeoutMs: 2_000 })),
    );
    expect(error).toMatchObject({ name: 'DocumentDbConnectError', kind: 'network' });
    expect(error.message).toMatch(new RegExp(`no usable answer from localhost:${port} within 2000 ms`));
    expect(error.message).toMatch(/ECONNREFUSED|connect/);
  });

  it('a server that accepts and never answers: gives up at the connect timeout, saying so', async () => {
    const listener = await silentListener();
    try {
      const error = await connectFailure(
        openConnection(settings(listener.port, { plaintext: true, connectTimeoutMs: 1_000 })),
      );
      expect(error.name).toMatch(/DocumentDbConnectError|DeadlineExceededError/);
      expect(error.message).toMatch(new RegExp(`localhost:${listener.port}`));
      expect(listener.connections()).toBeGreaterThan(0);
    } finally {
      await listener.stop();
    }
  });

  it('no time left before the deadline: does not start connecting', async () => {
    const listener = await silentListener();
    try {
      await expect(
        openConnection(settings(listener.port, { plaintext: true, deadline: Deadline.after(0) })),
      ).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.stop();
    }
  });

  it('a server older than the driver supports (DocumentDB 4.0 reports wire version 7): a clear error at once', async () => {
    const old = await MongoProtocolDouble.start({ flavour: 'documentdb', maxWireVersion: 7, rootUser: ROOT });
    try {
      const error = await connectFailure(
        openConnection(settings(old.port, { host: '127.0.0.1', plaintext: true, connectTimeoutMs: 30_000 })),
      );
      expect(error).toMatchObject({ name: 'UnsupportedServerVersionError', kind: 'other' });
      expect(error.message).toMatch(/reports maximum wire version 7/);
      expect(error.message).toMatch(
        /DocumentDB 4\.0 .*not supported: upgrade the cluster to DocumentDB 5\.0/,
      );
    } finally {
      await old.stop();
    }
  });
});
