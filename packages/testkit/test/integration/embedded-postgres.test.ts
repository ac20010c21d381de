import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/embedded-postgres';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'embedded-postgres-server.mjs');

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startEmbeddedPostgres', () => {
  it('starts a password-checking server and stops it', async () => {
    const server = await startEmbeddedPostgres();
    try {
      expect(server).toMatchObject({
        target: 'postgres',
        source: 'embedded',
        host: '127.0.0.1',
        user: 'postgres',
      });
      expect(server.version).toMatch(/^17\./);
      expect(server.url).toBe(
        `postgres://postgres:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}`,
      );
      const client = new Client({ connectionString: `${server.url}/postgres` });
      await client.connect();
      const { rows } = await client.query<{ password_encryption: string }>('SHOW password_encryption');
      await client.end();
      expect(rows[0]?.password_encryption).toBe('scram-sha-256');

      const wrong = new Client({ ...server, password: `${server.password}x`, database: 'postgres' });
      await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
      await wrong.end().catch(() => {});
    } finally {
      await server.stop();
    }
    expect(await portOpen(server.port)).toBe(false);
  });

  it('gives each call its own server', async () => {
    const [a, b] = await Promise.all([startEmbeddedPostgres(), startEmbeddedPostgres()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.password).not.toBe(b.password);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('embedded-postgres-server.mjs', () => {
  it.each([
    ['its stdin closes (its parent went away)', (child: ChildProcess) => child.stdin?.end()],
    ['it gets SIGTERM', (child: ChildProcess) => child.kill('SIGTERM')],
    ['it gets SIGINT', (child: ChildProcess) => child.kill('SIGINT')],
  ])('stops the server and exits cleanly when %s', async (_when, end) => {
    const child = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      void exited.then((code) => reject(new Error(`script exited with ${code} before it was ready`)));
    });
    const ready = JSON.parse(line) as { port: number; user: string; password: string };
    expect(ready.user).toBe('postgres');
    expect(await portOpen(ready.port)).toBe(true);

    end(child);
    // 0, not 128+signal: the script, not embedded-postgres' own exit hook, shut the server down.
    expect(await exited).toBe(0);
    expect(await portOpen(ready.port)).toBe(false);
  });
});
