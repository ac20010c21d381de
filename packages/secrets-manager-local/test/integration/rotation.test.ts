// RotateSecret driving real rotation functions: handler files in worker threads (their own module
// instance and environment, calling back into the server over HTTP) and the asynchronous mode.
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerLocal } from '../../src';
import { awsError, startEmulator, uniqueName } from '../helpers/emulator';

const fixture = (file: string) => join(__dirname, '..', 'fixtures', file);

let server: SecretsManagerLocal;
let client: SecretsManagerClient;
let logs: string[];

beforeAll(async () => {
  ({ server, client, logs } = await startEmulator());
});

afterAll(async () => {
  await server.stop();
});

async function secretWithPassword(password = 'initial-password'): Promise<string> {
  const name = uniqueName('rotating');
  await client.send(
    new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'app', password }) }),
  );
  return name;
}

const currentPassword = async (name: string) =>
  JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? '{}')
    .password;

/** Collects a module lambda's output by stream. */
function outputCollector() {
  const output = { stdout: '', stderr: '' };
  const onOutput = (text: string, stream: 'stdout' | 'stderr') => {
    output[stream] += text;
  };
  return { output, onOutput };
}

test('a handler file rotates the secret from its worker thread, with its own environment', async () => {
  const name = await secretWithPassword();
  const arn = server.lambdaArn('file-rotation');
  const { output, onOutput } = outputCollector();
  server.registerLambdaModule(arn, {
    file: fixture('rotation-handler.js'),
    env: { PASSWORD_PREFIX: 'pfx-' },
    onOutput,
  });
  const rotated = await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
  const password = await currentPassword(name);
  expect(password).toMatch(/^pfx-[A-Za-z0-9]{32}$/);
  const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
  expect(described.VersionIdsToStages?.[rotated.VersionId!]).toEqual(['AWSCURRENT']);
  expect(output.stdout).toContain('step createSecret invocation 1 in file-rotation');
  expect(output.stdout).toContain('step finishSecret invocation 4 in file-rotation');
  // The function's environment is its own, not the test process's.
  expect(process.env.PASSWORD_PREFIX).toBeUndefined();
});

test('a registered function stays warm across invocations; each registration has its own module instance', async () => {
  const first = server.lambdaArn('warm-a');
  const second = server.lambdaArn('warm-b');
  const a = outputCollector();
  const b = outputCollector();
  server.registerLambdaModule(first, { file: fixture('rotation-handler.js'), onOutput: a.onOutput });
  server.registerLambdaModule(second, { file: fixture('rotation-handler.js'), onOutput: b.onOutput });
  const name = await secretWithPassword();
  await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: first }));
  await client.send(new RotateSecretCommand({ SecretId: name }));
  await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: second }));
  expect(a.output.stdout).toContain('invocation 8 in warm-a');
  expect(b.output.stdout).toContain('invocation 4 in warm-b');
  expect(b.output.stdout).not.toContain('invocation 5');
});

test('a thrown error fails the step: logged as one line with step and error, without secret values', async () => {
  const name = await secretWithPassword('do-not-log-me');
  const arn = server.lambdaArn('fails-at-set');
  server.registerLambdaModule(arn, {
    file: fixture('rotation-handler.js'),
    exportName: 'failsAtSet',
    onOutput: () => {},
  });
  const before = logs.length;
  const rotated = await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
  expect(rotated.$metadata.httpStatusCode).toBe(200);
  const lines = logs.slice(before);
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
    event: 'rotation-step-failed',
    step: 'setSecret',
    errorName: 'DatabaseError',
    errorMessage: 'connection refused by db.internal:5432',
  });
  expect(lines[0]).not.toContain('do-not-log-me');
  expect(await currentPassword(name)).toBe('do-not-log-me');
  await awsError(
    client.send(new RotateSecretCommand({ SecretId: name })),
    'InvalidRequestException',
    "A previous rotation isn't complete. That rotation will be reattempted.",
  );
});

test('a missing export or file fails createSecret the way Lambda reports it', async () => {
  const missingExport = server.lambdaArn('missing-export');
  server.registerLambdaModule(missingExport, { file: fixture('rotation-handler.js'), exportName: 'nope' });
  const missingFile = server.lambdaArn('missing-file');
  server.registerLambdaModule(missingFile, { file: fixture('does-not-exist.js') });
  const before = logs.length;
  await client.send(
    new RotateSecretCommand({ SecretId: await secretWithPassword(), RotationLambdaARN: missingExport }),
  );
  await client.send(
    new RotateSecretCommand({ SecretId: await secretWithPassword(), RotationLambdaARN: missingFile }),
  );
  const failures = logs.slice(before).map((line) => JSON.parse(line));
  expect(failures.map((f) => [f.step, f.errorName])).toEqual([
    ['createSecret', 'Runtime.HandlerNotFound'],
    ['createSecret', 'Runtime.ImportModuleError'],
  ]);
  expect(failures[0].errorMessage).toBe('rotation-handler.nope is undefined or not exported');
});

test('ES module handlers and callback-style handlers work too', async () => {
  const esm = server.lambdaArn('esm');
  const { output, onOutput } = outputCollector();
  server.registerLambdaModule(esm, { file: fixture('esm-handler.mjs'), onOutput });
  await client.send(
    new RotateSecretCommand({ SecretId: await secretWithPassword(), RotationLambdaARN: esm }),
  );
  expect(output.stdout).toContain('esm handler ran finishSecret');

  const callback = server.lambdaArn('callback');
  server.registerLambdaModule(callback, { file: fixture('rotation-handler.js'), exportName: 'withCallback' });
  const name = await secretWithPassword('before-callback');
  await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: callback }));
  expect(await currentPassword(name)).not.toBe('before-callback');
});

test('a function that exits or outlives its timeout fails its step, and the next invocation gets a fresh worker', async () => {
  const exits = server.lambdaArn('exits');
  server.registerLambdaModule(exits, { file: fixture('worker-exits.js') });
  const hangs = server.lambdaArn('hangs');
  server.registerLambdaModule(hangs, {
    file: fixture('rotation-handler.js'),
    exportName: 'hangs',
    timeoutSeconds: 1,
  });
  const before = logs.length;
  await client.send(
    new RotateSecretCommand({ SecretId: await secretWithPassword(), RotationLambdaARN: exits }),
  );
  await client.send(
    new RotateSecretCommand({ SecretId: await secretWithPassword(), RotationLambdaARN: exits }),
  );
  await client.send(
    new RotateSecretCommand({ SecretId: await secretWithPassword(), RotationLambdaARN: hangs }),
  );
  expect(logs.slice(before).map((line) => JSON.parse(line).errorName)).toEqual([
    'Runtime.ExitError',
    'Runtime.ExitError',
    'Sandbox.Timedout',
  ]);
});

test('in-process functions: a missing registration at invocation time is AccessDeniedException', async () => {
  const name = await secretWithPassword();
  await awsError(
    client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: server.lambdaArn('never-registered') }),
    ),
    'AccessDeniedException',
  );
  expect(
    (await client.send(new DescribeSecretCommand({ SecretId: name }))).RotationLambdaARN,
  ).toBeUndefined();
});

describe('asynchronous rotation', () => {
  let asyncServer: SecretsManagerLocal;
  let asyncClient: SecretsManagerClient;

  beforeAll(async () => {
    ({ server: asyncServer, client: asyncClient } = await startEmulator({ rotation: 'async' }));
  });

  afterAll(async () => {
    await asyncServer.stop();
  });

  test('RotateSecret answers first; the rotation finishes in the background and whenIdle waits for it', async () => {
    const name = uniqueName();
    await asyncClient.send(
      new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ password: 'p0' }) }),
    );
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const steps: string[] = [];
    const arn = asyncServer.lambdaArn('gated');
    asyncServer.registerLambda(arn, async (event) => {
      await gate;
      steps.push(event.Step);
    });
    const rotated = await asyncClient.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }),
    );
    expect(steps).toEqual([]);
    const during = await asyncClient.send(new DescribeSecretCommand({ SecretId: name }));
    expect(during.VersionIdsToStages?.[rotated.VersionId!]).toEqual(['AWSPENDING']);
    release();
    await asyncServer.whenIdle();
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(
      (await asyncClient.send(new DescribeSecretCommand({ SecretId: name }))).LastRotatedDate,
    ).toBeInstanceOf(Date);
  });

  test('a module function in async mode rotates the secret by the time whenIdle resolves', async () => {
    const name = uniqueName();
    await asyncClient.send(
      new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ password: 'p0' }) }),
    );
    const arn = asyncServer.lambdaArn('async-file');
    asyncServer.registerLambdaModule(arn, { file: fixture('rotation-handler.js'), onOutput: () => {} });
    await asyncClient.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
    await asyncServer.whenIdle();
    const value = await asyncClient.send(new GetSecretValueCommand({ SecretId: name }));
    expect(JSON.parse(value.SecretString ?? '{}').password).not.toBe('p0');
  });
});
