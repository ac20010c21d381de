import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import {
  ConfigurationError,
  createRotationHandler,
  DatabaseChangeError,
  rotateLocally,
  type StrategyName,
} from '../../src';
import { type FakeDatabase, fakeDatabase, fakeEngine } from './fake-engine';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let emulator: SecretsManagerLocal;
let sdk: SecretsManagerClient;
let counter = 0;

beforeAll(async () => {
  // The emulator's line per failed step goes through jest's console buffer: `pnpm test` prints it
  // only when a test in this file fails (its stderr default would print it every run).
  emulator = await SecretsManagerLocal.start({ port: 0, log: (line) => console.log(line) });
  sdk = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  sdk.destroy();
  await emulator.stop();
});

interface Setup {
  db: FakeDatabase;
  lines: Record<string, unknown>[];
  sent: { command: string; input: Record<string, unknown> }[];
  arn: string;
  lambda: string;
}

/** A secret for user `app` in a fake database, and a handler registered with the emulator. */
async function setup(
  strategy: StrategyName,
  secret: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<Setup> {
  counter++;
  const db = fakeDatabase(
    { app: 'Initial-Password-1', admin: 'Admin-Password-1' },
    secret.tlsServer !== false,
  );
  const lines: Record<string, unknown>[] = [];
  const sent: Setup['sent'] = [];
  const client = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: context.commandName as string, input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize' },
  );
  const handler = createRotationHandler(fakeEngine(db), strategy, {
    env,
    client,
    logSink: (l) => lines.push(JSON.parse(l)),
  });
  const lambda = emulator.lambdaArn(`fake-${counter}`);
  emulator.registerLambda(lambda, (event) => handler(event));
  let masterarn: string | undefined;
  if (strategy === 'alternating-users') {
    const su = await sdk.send(
      new CreateSecretCommand({
        Name: `super-${counter}`,
        SecretString: JSON.stringify({ host: 'db.local', username: 'admin', password: 'Admin-Password-1' }),
      }),
    );
    masterarn = su.ARN;
  }
  const { tlsServer: _ignored, ...rest } = secret;
  const value = {
    engine: 'fake',
    host: 'db.local',
    username: 'app',
    password: 'Initial-Password-1',
    ...(masterarn ? { masterarn } : {}),
    ...rest,
  };
  const out = await sdk.send(
    new CreateSecretCommand({ Name: `app-${counter}`, SecretString: JSON.stringify(value) }),
  );
  return { db, lines, sent, arn: out.ARN as string, lambda };
}

async function rotate(s: Setup): Promise<string> {
  const out = await sdk.send(
    new RotateSecretCommand({
      SecretId: s.arn,
      RotationLambdaARN: s.lambda,
      RotationRules: { AutomaticallyAfterDays: 7 },
    }),
  );
  return out.VersionId as string;
}

const callsPerStep = (s: Setup) =>
  Object.fromEntries(
    s.lines.filter((l) => l.message === 'step finished').map((l) => [l.step, l.secretsManagerCalls]),
  );

describe('createRotationHandler against the emulator', () => {
  it('single-user: 12 Secrets Manager calls (5, 3, 2, 2), password changed, stages moved', async () => {
    const s = await setup('single-user', { ssl: false });
    const token = await rotate(s);
    const stages = (await sdk.send(new DescribeSecretCommand({ SecretId: s.arn }))).VersionIdsToStages ?? {};
    expect(stages[token]).toEqual(['AWSCURRENT']);
    const current = JSON.parse(
      (await sdk.send(new GetSecretValueCommand({ SecretId: s.arn }))).SecretString as string,
    );
    expect(s.db.users.get('app')).toBe(current.password);
    expect(callsPerStep(s)).toEqual({ createSecret: 5, setSecret: 3, testSecret: 2, finishSecret: 2 });
    expect(s.sent.map((c) => c.command)).not.toContain('GetRandomPasswordCommand');
    // No failed login: AWSCURRENT in setSecret, AWSPENDING in testSecret, nothing else.
    expect(s.db.attempts.map((a) => a.username)).toEqual(['app', 'app']);
    expect(s.lines.filter((l) => l.message === 'login failed')).toEqual([]);
  });

  it('alternating users: 13 calls (5, 4, 2, 2); the alternate user gets the password', async () => {
    const s = await setup('alternating-users', { ssl: false });
    await rotate(s);
    const current = JSON.parse(
      (await sdk.send(new GetSecretValueCommand({ SecretId: s.arn }))).SecretString as string,
    );
    expect(current.username).toBe('app_clone');
    expect(s.db.users.get('app_clone')).toBe(current.password);
    expect(s.db.users.get('app')).toBe('Initial-Password-1');
    expect(callsPerStep(s)).toEqual({ createSecret: 5, setSecret: 4, testSecret: 2, finishSecret: 2 });
    // No failed login and no probe of AWSPENDING before the superuser set it.
    expect(s.db.attempts.map((a) => a.username)).toEqual(['app', 'admin', 'app_clone']);
    expect(s.lines.filter((l) => l.message === 'login failed')).toEqual([]);
  });

  it('passes RotationToken on to PutSecretValue and moves only AWSCURRENT in finishSecret', async () => {
    const s = await setup('single-user', { ssl: false });
    await rotate(s);
    const put = s.sent.find((c) => c.command === 'PutSecretValueCommand');
    expect(put?.input.RotationToken).toMatch(/^[A-Za-z0-9-]{36,}$/);
    const move = s.sent.find((c) => c.command === 'UpdateSecretVersionStageCommand');
    expect(move?.input).toMatchObject({ VersionStage: 'AWSCURRENT' });
    expect(s.sent.filter((c) => c.command === 'UpdateSecretVersionStageCommand')).toHaveLength(1);
  });

  it('without an ssl key: tries TLS, falls back to plaintext with a warning line', async () => {
    const s = await setup('single-user', { tlsServer: false });
    const token = await rotate(s);
    const stages = (await sdk.send(new DescribeSecretCommand({ SecretId: s.arn }))).VersionIdsToStages ?? {};
    expect(stages[token]).toEqual(['AWSCURRENT']);
    const warnings = s.lines.filter((l) => l.level === 'warn');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]?.message).toMatch(/TLS failed; retrying without TLS/);
    expect(s.db.attempts.some((a) => a.tls)).toBe(true);
  });

  it('without an ssl key: a server whose TLS failed is not tried over TLS again in the same step', async () => {
    const s = await setup('alternating-users', { tlsServer: false });
    const token = await rotate(s);
    const stages = (await sdk.send(new DescribeSecretCommand({ SecretId: s.arn }))).VersionIdsToStages ?? {};
    expect(stages[token]).toEqual(['AWSCURRENT']);
    // setSecret: AWSCURRENT over TLS, then plaintext; the superuser straight to plaintext.
    // testSecret is another invocation, so it tries TLS once more.
    expect(s.db.attempts).toEqual([
      { username: 'app', tls: true },
      { username: 'app', tls: false },
      { username: 'admin', tls: false },
      { username: 'app_clone', tls: true },
      { username: 'app_clone', tls: false },
    ]);
  });

  it('ROTOR_TLS_FALLBACK=deny forbids the plaintext retry', async () => {
    const s = await setup('single-user', { tlsServer: false }, { ROTOR_TLS_FALLBACK: 'deny' });
    await rotate(s);
    const failure = s.lines.find((l) => l.message === 'step failed');
    expect(failure).toMatchObject({ step: 'setSecret', error: { name: 'LoginFailedError' } });
    expect(JSON.stringify(failure)).toMatch(/ROTOR_TLS_FALLBACK=deny forbids a plaintext retry/);
    expect(s.db.attempts.every((a) => a.tls)).toBe(true);
  });

  it('ssl true never falls back; ssl false never tries TLS', async () => {
    const strict = await setup('single-user', { tlsServer: false, ssl: true });
    await rotate(strict);
    expect(strict.lines.find((l) => l.message === 'step failed')).toMatchObject({
      error: { name: 'LoginFailedError' },
    });
    expect(strict.db.attempts.every((a) => a.tls)).toBe(true);

    const plain = await setup('single-user', { ssl: 'FALSE' });
    await rotate(plain);
    expect(plain.db.attempts.length).toBeGreaterThan(0);
    expect(plain.db.attempts.every((a) => !a.tls)).toBe(true);
  });

  it('redacts a password that a driver error echoes, in the log and in the thrown error', async () => {
    const s = await setup('single-user', { ssl: false });
    s.db.failNextConnectWith = 'syntax error near "Initial-Password-1"';
    await rotate(s);
    const text = JSON.stringify(s.lines);
    expect(text).not.toContain('Initial-Password-1');
    expect(text).toContain('[REDACTED]');
  });

  it('fails at cold start on a bad environment variable, naming it', () => {
    expect(() =>
      createRotationHandler(fakeEngine(fakeDatabase()), 'single-user', { env: { PASSWORD_LENGTH: 'ten' } }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createRotationHandler(fakeEngine(fakeDatabase()), 'single-user', { env: { PASSWORD_LENGTH: 'ten' } }),
    ).toThrow(/PASSWORD_LENGTH/);
  });
});

describe('rotateLocally (rotor rotate)', () => {
  it('rotates a secret that has no rotation configured, and removes AWSPENDING like the service', async () => {
    const db = fakeDatabase({ app: 'Initial-Password-1' });
    const out = await sdk.send(
      new CreateSecretCommand({
        Name: `local-${++counter}`,
        SecretString: JSON.stringify({
          engine: 'fake',
          host: 'db.local',
          username: 'app',
          password: 'Initial-Password-1',
          ssl: false,
        }),
      }),
    );
    const seen: string[] = [];
    const result = await rotateLocally(fakeEngine(db), 'single-user', {
      secretId: out.ARN as string,
      client: sdk,
      logSink: () => undefined,
      onStep: (step) => seen.push(step),
    });
    expect(seen).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    const stages =
      (await sdk.send(new DescribeSecretCommand({ SecretId: out.ARN }))).VersionIdsToStages ?? {};
    expect(stages[result.versionId]).toEqual(['AWSCURRENT']);
    expect(stages[result.previousVersionId as string]).toEqual(['AWSPREVIOUS']);
    const current = JSON.parse(
      (await sdk.send(new GetSecretValueCommand({ SecretId: out.ARN }))).SecretString as string,
    );
    expect(db.users.get('app')).toBe(current.password);
  });

  it('refuses to start while another rotation is in progress', async () => {
    const s = await setup('single-user', { ssl: false });
    emulator.registerLambda(`${s.lambda}-stall`, () => {
      throw new Error('stalled');
    });
    await sdk.send(new RotateSecretCommand({ SecretId: s.arn, RotationLambdaARN: `${s.lambda}-stall` }));
    await expect(
      rotateLocally(fakeEngine(s.db), 'single-user', {
        secretId: s.arn,
        client: sdk,
        logSink: () => undefined,
      }),
    ).rejects.toThrow(/a previous rotation isn't complete/);
  });
});

describe("an engine's errors", () => {
  /** What an engine package declares for a precondition it checks itself. */
  class FakeRoleError extends DatabaseChangeError {
    override name = 'FakeRoleError';
  }

  const rotateWithFailingChange = async (strategy: StrategyName, failure: Error) => {
    const s = await setup(strategy, { ssl: false });
    s.db.failChangesWith = failure;
    return rotateLocally(fakeEngine(s.db), strategy, {
      secretId: s.arn,
      client: sdk,
      logSink: () => undefined,
    });
  };

  it.each<StrategyName>(['single-user', 'alternating-users'])(
    '%s: a typed engine error reaches the caller as it was thrown',
    async (strategy) => {
      const failure = new FakeRoleError('the original role "app" does not exist');
      await expect(rotateWithFailingChange(strategy, failure)).rejects.toBe(failure);
    },
  );

  it.each<StrategyName>(['single-user', 'alternating-users'])(
    "%s: a driver's plain error becomes a DatabaseChangeError that keeps it as cause",
    async (strategy) => {
      const failure = new Error('permission denied');
      const rejection = rotateWithFailingChange(strategy, failure);
      await expect(rejection).rejects.toBeInstanceOf(DatabaseChangeError);
      await expect(rejection).rejects.toMatchObject({ name: 'DatabaseChangeError', cause: failure });
    },
  );
});
