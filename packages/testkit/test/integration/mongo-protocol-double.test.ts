import { MongoClient, type MongoClientOptions, MongoServerError } from 'mongodb';
import {
  MongoProtocolDouble,
  type MongoProtocolDoubleOptions,
} from '../../src/mongo-double/mongo-protocol-double';
import { createTestCertificates, opensslAvailable, type TestCertificates } from '../../src/test-certificates';

// The MongoDB protocol double, driven by the real `mongodb` driver over TCP and TLS. It is a test
// double (no MongoDB server can run here), so these tests prove the double behaves as MongoDB
// does for what the rotation engine relies on: SCRAM logins that really check the password, the
// user commands with MongoDB's error codes and authorization rules, and DocumentDB's quirks.

const ROOT = { username: 'root', password: 'Root-pw-1' };

async function withDouble(
  options: Partial<MongoProtocolDoubleOptions>,
  fn: (double: MongoProtocolDouble) => Promise<void>,
): Promise<void> {
  const double = await MongoProtocolDouble.start({ rootUser: ROOT, ...options });
  try {
    await fn(double);
  } finally {
    await double.stop();
  }
}

async function login(
  double: MongoProtocolDouble,
  username: string,
  password: string,
  options: MongoClientOptions = {},
): Promise<MongoClient> {
  const client = new MongoClient(`mongodb://${double.host}:${double.port}/`, {
    directConnection: true,
    auth: { username, password },
    authSource: 'admin',
    serverSelectionTimeoutMS: 3000,
    retryWrites: false,
    ...options,
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.close();
    throw error;
  }
}

async function asRoot<T>(double: MongoProtocolDouble, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = await login(double, ROOT.username, ROOT.password);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function loginCode(double: MongoProtocolDouble, username: string, password: string, o = {}) {
  try {
    await (await login(double, username, password, o)).close();
    return 'ok';
  } catch (error) {
    return error instanceof MongoServerError ? error.code : String(error);
  }
}

describe('MongoDB protocol double (a test double, not a server) with the real mongodb driver', () => {
  it.each(['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const)(
    'logs in with %s and refuses a wrong password with code 18',
    (mechanism) =>
      withDouble({}, async (double) => {
        const client = await login(double, ROOT.username, ROOT.password, { authMechanism: mechanism });
        const status = await client.db('admin').command({ connectionStatus: 1 });
        expect(status.authInfo.authenticatedUsers).toEqual([{ user: 'root', db: 'admin' }]);
        expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
        await client.close();
        expect(await loginCode(double, ROOT.username, 'wrong', { authMechanism: mechanism })).toBe(18);
        expect(await loginCode(double, 'nobody', ROOT.password, { authMechanism: mechanism })).toBe(18);
      }),
  );

  it('negotiates SCRAM-SHA-256 through saslSupportedMechs; a SHA-1-only server (DocumentDB before 5.0.1) refuses SHA-256', async () => {
    await withDouble({}, async (double) => {
      expect(await loginCode(double, ROOT.username, ROOT.password)).toBe('ok');
    });
    await withDouble({ scram: 'sha1-only' }, async (double) => {
      // The driver defaults to SCRAM-SHA-256 when hello lists no mechanisms; the server says 334.
      expect(await loginCode(double, ROOT.username, ROOT.password)).toBe(334);
      expect(await loginCode(double, ROOT.username, ROOT.password, { authMechanism: 'SCRAM-SHA-1' })).toBe(
        'ok',
      );
    });
  });

  it('a password change takes effect: the old password is refused, the new one logs in', () =>
    withDouble({}, async (double) => {
      await asRoot(double, async (c) => {
        await c.db('app').command({ createUser: 'alice', pwd: 'old-pw', roles: ['read'] });
        await c.db('app').command({ updateUser: 'alice', pwd: 'new-pw' });
      });
      expect(await loginCode(double, 'alice', 'old-pw', { authSource: 'app' })).toBe(18);
      expect(await loginCode(double, 'alice', 'new-pw', { authSource: 'app' })).toBe('ok');
    }));

  it('user commands answer with MongoDB codes: 51003 exists, 11 not found, 13 unauthorized, 31 no role', () =>
    withDouble({}, async (double) => {
      await asRoot(double, async (c) => {
        const app = c.db('app');
        await app.command({
          createUser: 'bob',
          pwd: 'bob-pw',
          roles: [{ role: 'read', db: 'app' }],
          customData: { team: 'x' },
          authenticationRestrictions: [{ clientSource: ['127.0.0.1/32'] }],
          mechanisms: ['SCRAM-SHA-256'],
        });
        await expect(app.command({ createUser: 'bob', pwd: 'x', roles: [] })).rejects.toMatchObject({
          code: 51003,
        });
        await expect(app.command({ updateUser: 'carol', pwd: 'x' })).rejects.toMatchObject({ code: 11 });
        await expect(app.command({ createUser: 'dan', pwd: 'x', roles: ['nosuch'] })).rejects.toMatchObject({
          code: 31,
        });
        const info = await app.command({ usersInfo: 'bob', showAuthenticationRestrictions: true });
        expect(info.users[0]).toMatchObject({
          user: 'bob',
          db: 'app',
          roles: [{ role: 'read', db: 'app' }],
          customData: { team: 'x' },
          authenticationRestrictions: [{ clientSource: ['127.0.0.1/32'] }],
          mechanisms: ['SCRAM-SHA-256'],
        });
      });
      // A SHA-256-only user cannot log in with SHA-1; a read-only user cannot manage users or write.
      expect(
        await loginCode(double, 'bob', 'bob-pw', { authSource: 'app', authMechanism: 'SCRAM-SHA-1' }),
      ).toBe(18);
      const bob = await login(double, 'bob', 'bob-pw', { authSource: 'app' });
      try {
        await expect(bob.db('app').command({ createUser: 'eve', pwd: 'x', roles: [] })).rejects.toMatchObject(
          {
            code: 13,
          },
        );
        await expect(bob.db('app').collection('t').insertOne({ a: 1 })).rejects.toMatchObject({ code: 13 });
        expect(await bob.db('app').collection('t').find().toArray()).toEqual([]);
      } finally {
        await bob.close();
      }
    }));

  it('a user changes its own password only with a role granting changeOwnPassword', () =>
    withDouble({}, async (double) => {
      await asRoot(double, async (c) => {
        await c.db('admin').command({
          createRole: 'selfPassword',
          privileges: [{ resource: { db: 'admin', collection: '' }, actions: ['changeOwnPassword'] }],
          roles: [],
        });
        await c
          .db('admin')
          .command({ createUser: 'plain', pwd: 'p1', roles: [{ role: 'readAnyDatabase', db: 'admin' }] });
        await c.db('admin').command({ createUser: 'self', pwd: 's1', roles: ['selfPassword'] });
      });
      const plain = await login(double, 'plain', 'p1');
      await expect(plain.db('admin').command({ updateUser: 'plain', pwd: 'p2' })).rejects.toMatchObject({
        code: 13,
      });
      await plain.close();
      const self = await login(double, 'self', 's1');
      await self.db('admin').command({ updateUser: 'self', pwd: 's2' });
      await expect(self.db('admin').command({ updateUser: 'plain', pwd: 'x' })).rejects.toMatchObject({
        code: 13,
      });
      await self.close();
      expect(await loginCode(double, 'self', 's1')).toBe(18);
      expect(await loginCode(double, 'self', 's2')).toBe('ok');
    }));

  it('DocumentDB flavour: serviceadmin cannot log in and cannot be changed', () =>
    withDouble({ flavour: 'documentdb' }, async (double) => {
      await asRoot(double, async (c) => {
        await expect(c.db('admin').command({ updateUser: 'serviceadmin', pwd: 'x' })).rejects.toMatchObject({
          code: 13,
        });
        await expect(c.db('admin').command({ dropUser: 'serviceadmin' })).rejects.toMatchObject({ code: 13 });
        expect((await c.db('admin').command({ buildInfo: 1 })).version).toBe('5.0.0');
      });
    }));

  it('maxWireVersion is what hello reports (7 plays DocumentDB 4.0, which the driver refuses)', () =>
    withDouble({ flavour: 'documentdb', maxWireVersion: 7 }, async (double) => {
      await expect(
        login(double, ROOT.username, ROOT.password, { serverSelectionTimeoutMS: 1500 }),
      ).rejects.toThrow(/reports maximum wire version 7/);
    }));

  it('beforeCommand sees each command first: it can make a change land, or leave the command unanswered', () =>
    withDouble({}, async (double) => {
      const seen: string[] = [];
      double.beforeCommand = (command) => {
        seen.push(Object.keys(command)[0] ?? '');
        if (command.createUser === 'raced') {
          double.directory.create(
            { user: 'raced', db: 'admin', roles: [], mechanisms: double.mechanisms() },
            'pw-1',
          );
        }
        return command.ping === undefined ? undefined : 'no-reply';
      };
      const client = await login(double, ROOT.username, ROOT.password, { socketTimeoutMS: 500 });
      try {
        await expect(
          client.db('admin').command({ createUser: 'raced', pwd: 'pw-2', roles: [] }),
        ).rejects.toMatchObject({ code: 51003 });
        await expect(client.db('admin').command({ ping: 1 })).rejects.toThrow(/timed out/i);
        expect(seen).toEqual(expect.arrayContaining(['saslStart', 'createUser', 'ping']));
      } finally {
        await client.close(true);
      }
    }));

  const tls = opensslAvailable() ? it : it.skip;
  if (!opensslAvailable()) process.stdout.write('SKIP mongodb protocol double TLS: no openssl command\n');
  tls('speaks TLS with a generated certificate; the driver verifies chain and host name', async () => {
    const certs: TestCertificates = createTestCertificates();
    try {
      await withDouble({ tls: { cert: certs.cert, key: certs.key } }, async (double) => {
        const ok = await login(double, ROOT.username, ROOT.password, {
          tls: true,
          ca: certs.ca,
          servername: 'localhost',
        });
        expect((await ok.db('admin').command({ ping: 1 })).ok).toBe(1);
        await ok.close();
        // Not trusting the CA fails the handshake; so does a name the certificate does not hold.
        await expect(
          login(double, ROOT.username, ROOT.password, { tls: true, serverSelectionTimeoutMS: 1500 }),
        ).rejects.toThrow();
      });
      const elsewhere = createTestCertificates(['DNS:elsewhere.test']);
      try {
        await withDouble({ tls: { cert: elsewhere.cert, key: elsewhere.key } }, async (double) => {
          await expect(
            login(double, ROOT.username, ROOT.password, {
              tls: true,
              ca: elsewhere.ca,
              serverSelectionTimeoutMS: 1500,
            }),
          ).rejects.toThrow(/elsewhere\.test|altnames|Hostname/i);
        });
      } finally {
        elsewhere.remove();
      }
    } finally {
      certs.remove();
    }
  });
});
