import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Deadline, DeadlineExceededError } from '../../src/deadline';
import { SecretsManagerError } from '../../src/errors';
import { SecretsGateway, secretsManagerClientFor } from '../../src/secrets-gateway';

/**
 * The real AWS SDK client, over HTTP, against TCP listeners that misbehave: one accepts and never
 * answers, one accepts and closes at once. (A listener that never accepts cannot be made on
 * loopback: the kernel completes the handshake.)
 */
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';
const env = { AWS_REGION: 'us-east-1' };

interface Listener {
  readonly endpoint: string;
  readonly sockets: Socket[];
  readonly server: Server;
}

async function listen(onSocket: (socket: Socket) => void): Promise<Listener> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, sockets, server };
}

async function stop(listener: Listener): Promise<void> {
  for (const socket of listener.sockets) socket.destroy();
  await new Promise<void>((resolve) => listener.server.close(() => resolve()));
}

const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
beforeAll(() => {
  // The SDK signs before sending; any credentials do for a listener that never reads them.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});
afterAll(() => {
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', savedCredentials.id],
    ['AWS_SECRET_ACCESS_KEY', savedCredentials.secret],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('Secrets Manager calls against an endpoint that accepts and never answers', () => {
  let silent: Listener;
  beforeAll(async () => {
    silent = await listen(() => {});
  });
  afterAll(() => stop(silent));

  it('the request timeout fails the call (not just a warning), naming the operation and endpoint', async () => {
    const client = secretsManagerClientFor(ARN, silent.endpoint, env, {
      connectTimeoutMs: 1_000,
      requestTimeoutMs: 200,
    });
    const gateway = new SecretsGateway(client, { secretId: ARN }, Deadline.after(60_000));
    const error = await failureOf(gateway.describe(ARN));
    expect(error).toBeInstanceOf(SecretsManagerError);
    expect((error as Error).message).toContain('Secrets Manager DescribeSecret failed: TimeoutError');
    expect((error as Error).message).toContain(`(endpoint ${silent.endpoint})`);
    expect((error as Error).message).toMatch(/TimeoutError/);
  });

  it('the step deadline aborts the call, naming operation and endpoint', async () => {
    const client = secretsManagerClientFor(ARN, silent.endpoint, env, { connectTimeoutMs: 1_000 });
    // Long enough for the SDK to load and connect, far shorter than its 5 s request timeout.
    const gateway = new SecretsGateway(client, { secretId: ARN }, Deadline.after(2_000));
    const before = silent.sockets.length;
    const error = await failureOf(gateway.getValue(ARN, { stage: 'AWSCURRENT' }));
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toContain(`Secrets Manager GetSecretValue at ${silent.endpoint}`);
    expect((error as Error).message).toMatch(/did not finish within \d+ ms and was cancelled/);
    expect(silent.sockets.length).toBeGreaterThan(before);
  });

  it('starts no call once the deadline has passed', async () => {
    const client = secretsManagerClientFor(ARN, silent.endpoint, env, { connectTimeoutMs: 1_000 });
    const gateway = new SecretsGateway(client, { secretId: ARN }, Deadline.after(0));
    const error = await failureOf(gateway.putPending(ARN, 'token', '{}'));
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toContain(
      `no time left before the function's deadline to start Secrets Manager PutSecretValue at ${silent.endpoint}`,
    );
  });
});

describe('Secrets Manager calls against an endpoint that accepts and closes', () => {
  let closing: Listener;
  beforeAll(async () => {
    closing = await listen((socket) => socket.destroy());
  });
  afterAll(() => stop(closing));

  it('fails with SecretsManagerError naming the operation and endpoint', async () => {
    const client = secretsManagerClientFor(ARN, closing.endpoint, env, { connectTimeoutMs: 1_000 });
    const gateway = new SecretsGateway(client, { secretId: ARN }, Deadline.after(60_000));
    const error = await failureOf(gateway.moveStage(ARN, 'AWSCURRENT', 'new', 'old'));
    expect(error).toBeInstanceOf(SecretsManagerError);
    expect((error as Error).message).toContain('Secrets Manager UpdateSecretVersionStage failed');
    expect((error as Error).message).toContain(`(endpoint ${closing.endpoint})`);
  });
});
