// The TCP fault proxy with real traffic: the pg driver to the embedded PostgreSQL, mysql2 to
// MariaDB, and the AWS SDK to the Secrets Manager emulator. Timeouts here only end a wait that a
// stall makes endless; nothing asserts on how long anything took.
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { DatabaseServer } from '../../src/database-server';
import { FaultProxy } from '../../src/fault-proxy';
import { describeWithDatabase } from '../../src/jest/describe-with-database';
import { mysqlAdminConnection } from '../../src/mysql-admin-connection';
import { pgAdminClient } from '../../src/pg-admin-client';
import { uniqueName } from '../../src/unique-name';

function pgThrough(proxy: FaultProxy, server: DatabaseServer, timeoutMs = 10_000): Client {
  return new Client({
    host: proxy.host,
    port: proxy.port,
    user: server.user,
    password: server.password,
    database: server.database ?? 'postgres',
    connectionTimeoutMillis: timeoutMs,
  });
}

describeWithDatabase('postgres', 'fault proxy in front of PostgreSQL', (server) => {
  let proxy: FaultProxy;
  let admin: Client;
  const table = uniqueName('fp_t');

  beforeAll(async () => {
    proxy = await FaultProxy.start({ host: server().host, port: server().port });
    admin = await pgAdminClient(server());
    await admin.query(`CREATE TABLE ${table} (n int)`);
  });

  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
    await proxy.stop();
  });

  afterEach(() => proxy.setMode({ kind: 'pass' }));

  it('passes and delays traffic without changing it', async () => {
    const client = pgThrough(proxy, server());
    await client.connect();
    expect((await client.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
    proxy.setMode({ kind: 'delay', ms: 20 });
    expect((await client.query("SELECT repeat('x', 100000) AS s")).rows[0].s).toHaveLength(100_000);
    await client.end();
  });

  it('resets a statement half-sent: the driver fails and the statement never ran', async () => {
    const client = pgThrough(proxy, server());
    client.on('error', () => undefined);
    await client.connect();
    const statement = `INSERT INTO ${table} SELECT 1 FROM generate_series(1, 10) -- ${'p'.repeat(400)}`;
    proxy.setMode({ kind: 'reset', bytes: proxy.stats.bytesUp + 100, direction: 'upstream' });
    const resetsBefore = proxy.stats.resets;
    await expect(client.query(statement)).rejects.toThrow();
    expect(proxy.stats.resets).toBe(resetsBefore + 1);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
  });

  it('resets an answer half-received', async () => {
    const client = pgThrough(proxy, server());
    client.on('error', () => undefined);
    await client.connect();
    proxy.setMode({ kind: 'reset', bytes: 1000, direction: 'either' });
    await expect(client.query("SELECT repeat('y', 50000) AS s")).rejects.toThrow();
  });

  it('stalls: a new connection gets nothing until the mode changes, then works again', async () => {
    proxy.setMode({ kind: 'stall' });
    const stalled = pgThrough(proxy, server(), 300);
    await expect(stalled.connect()).rejects.toThrow(/timeout/i);
    proxy.setMode({ kind: 'pass' });
    const client = pgThrough(proxy, server());
    await client.connect();
    expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await client.end();
  });

  it('refuses new connections and leaves open ones working', async () => {
    const open = pgThrough(proxy, server());
    await open.connect();
    proxy.setMode({ kind: 'refuse' });
    const refusedBefore = proxy.stats.refused;
    const refused = pgThrough(proxy, server());
    await expect(refused.connect()).rejects.toThrow();
    expect(proxy.stats.refused).toBe(refusedBefore + 1);
    expect((await open.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    await open.end();
  });
});

describeWithDatabase('mariadb', 'fault proxy in front of MariaDB', (server) => {
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await FaultProxy.start({ host: server().host, port: server().port });
  });

  afterAll(() => proxy.stop());

  const through = () =>
    createConnection({
      host: proxy.host,
      port: proxy.port,
      user: server().user,
      password: server().password,
      connectTimeout: 2000,
    });

  it('passes traffic, resets a statement half-sent (which never runs), refuses new connections', async () => {
    const admin = await mysqlAdminConnection(server());
    const database = uniqueName('fp_db');
    try {
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.query(`CREATE TABLE ${database}.t (n int)`);
      const conn = await through();
      conn.on('error', () => undefined);
      const [rows] = await conn.query('SELECT 41 + 1 AS n');
      expect(rows).toEqual([{ n: 42 }]);

      proxy.setMode({ kind: 'reset', bytes: proxy.stats.bytesUp + 50, direction: 'upstream' });
      await expect(
        conn.query(`INSERT INTO ${database}.t VALUES (1) /* ${'p'.repeat(400)} */`),
      ).rejects.toThrow();
      const [count] = await admin.query(`SELECT count(*) AS n FROM ${database}.t`);
      expect(count).toEqual([{ n: 0 }]);

      proxy.setMode({ kind: 'refuse' });
      await expect(through()).rejects.toThrow();
      proxy.setMode({ kind: 'pass' });
      const again = await through();
      await again.end();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    }
  });
});

describe('fault proxy in front of the Secrets Manager emulator', () => {
  let emulator: SecretsManagerLocal;
  let proxy: FaultProxy;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    emulator = await SecretsManagerLocal.start({ log: () => undefined });
    const port = Number(new URL(emulator.endpoint).port);
    proxy = await FaultProxy.start({ host: '127.0.0.1', port });
    client = new SecretsManagerClient({
      endpoint: proxy.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await proxy.stop();
    await emulator.stop();
  });

  it('carries SDK calls; refuse, reset and stall fail them; pass again works', async () => {
    const name = uniqueName('fp');
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'through-the-proxy' }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(
      'through-the-proxy',
    );

    proxy.resetAll();
    proxy.setMode({ kind: 'refuse' });
    await expect(client.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toThrow();

    proxy.setMode({ kind: 'reset', bytes: 10, direction: 'downstream' });
    await expect(client.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toThrow();

    proxy.resetAll();
    proxy.setMode({ kind: 'stall' });
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name }), { abortSignal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();

    proxy.resetAll();
    proxy.setMode({ kind: 'pass' });
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(
      'through-the-proxy',
    );
  });
});
