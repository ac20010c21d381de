// A rotation function given as a Lambda zip: unpacked once into a private temporary directory,
// addressed by Lambda's handler string, removed again when the emulator stops; through the
// library and through the command's --lambda.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientFor, startEmulator, uniqueName } from '../helpers/emulator';
import { testZip } from '../helpers/zip-archive';

const PACKAGE_DIR = join(__dirname, '..', '..');
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const HANDLER_SOURCE = readFileSync(join(__dirname, '..', 'fixtures', 'zip-rotation-handler.js'));

let work: string;
let zipFile: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rotor-zip-lambda-'));
  zipFile = join(work, 'rotor-test.zip');
  writeFileSync(
    zipFile,
    testZip([
      { name: 'single-user.js', data: HANDLER_SOURCE, mode: 0o644 },
      { name: 'nested/alternating-users.js', data: HANDLER_SOURCE, mode: 0o644 },
      { name: 'certs/ca.pem', data: 'not a certificate' },
    ]),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Temporary directories the emulator unpacked into, by name. */
const unpackedDirs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('rotor-lambda-')));

async function rotateOnce(
  client: ReturnType<typeof clientFor>,
  lambdaArn: string,
): Promise<{ versionId: string | undefined; password: string }> {
  const name = uniqueName('zip');
  await client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify({ username: 'app', password: 'first' }),
    }),
  );
  const rotated = await client.send(
    new RotateSecretCommand({ SecretId: name, RotationLambdaARN: lambdaArn }),
  );
  const value = await client.send(new GetSecretValueCommand({ SecretId: name }));
  expect(value.VersionId).toBe(rotated.VersionId);
  return { versionId: value.VersionId, password: JSON.parse(value.SecretString ?? '{}').password };
}

describe('registerLambdaModule with a zip', () => {
  it('loads module.export from the unpacked zip, once, and removes the directory on stop', async () => {
    const before = unpackedDirs();
    const { server, client, logs } = await startEmulator();
    const output: string[] = [];
    const arns = { root: server.lambdaArn('zip-root'), nested: server.lambdaArn('zip-nested') };
    server.registerLambdaModule(arns.root, {
      file: zipFile,
      exportName: 'single-user.handler',
      onOutput: (text) => output.push(text),
    });
    server.registerLambdaModule(arns.nested, {
      file: zipFile,
      exportName: 'nested/alternating-users.handler',
      onOutput: (text) => output.push(text),
    });
    try {
      for (const arn of [arns.root, arns.root, arns.nested]) {
        const { versionId, password } = await rotateOnce(client, arn);
        expect(password).toBe(`zip-${versionId?.slice(0, 8)}`);
      }
      expect(logs).toEqual([]);
      const steps = output
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { step: string; module: string });
      expect(steps.filter((s) => s.module === 'single-user.js').map((s) => s.step)).toEqual([
        ...STEPS,
        ...STEPS,
      ]);
      expect(steps.filter((s) => s.module === 'alternating-users.js')).toHaveLength(4);
      // One directory per registered function, however often it is invoked; private to this user.
      const created = [...unpackedDirs()].filter((d) => !before.has(d));
      expect(created).toHaveLength(2);
      for (const d of created) {
        expect(statSync(join(tmpdir(), d)).mode & 0o777).toBe(0o700);
        expect(existsSync(join(tmpdir(), d, 'certs', 'ca.pem'))).toBe(true);
      }
    } finally {
      await server.stop();
    }
    expect([...unpackedDirs()].filter((d) => !before.has(d))).toEqual([]);
  });

  it('fails the step with Lambda error types for a missing module, a missing export or a bad handler string', async () => {
    const { server, client, logs } = await startEmulator();
    const cases = [
      ['no-such-module.handler', 'Runtime.ImportModuleError'],
      ['single-user.nope', 'Runtime.HandlerNotFound'],
      ['handler', 'Runtime.MalformedHandlerName'],
      ['../single-user.handler', 'Runtime.MalformedHandlerName'],
    ] as const;
    try {
      for (const [index, [exportName]] of cases.entries()) {
        server.registerLambdaModule(server.lambdaArn(`bad-${index}`), { file: zipFile, exportName });
      }
      for (const [index] of cases.entries()) {
        const name = uniqueName('zip-bad');
        await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"p"}' }));
        await client.send(
          new RotateSecretCommand({ SecretId: name, RotationLambdaARN: server.lambdaArn(`bad-${index}`) }),
        );
      }
    } finally {
      await server.stop();
    }
    const failures = logs.map((line) => JSON.parse(line) as { step: string; errorName: string });
    expect(failures.map((f) => [f.step, f.errorName])).toEqual(
      cases.map(([, type]) => ['createSecret', type]),
    );
  });

  it('fails the step when the zip is corrupt, and keeps serving', async () => {
    const corrupt = join(work, 'corrupt.zip');
    writeFileSync(corrupt, 'PK not really');
    const { server, client, logs } = await startEmulator();
    try {
      server.registerLambdaModule(server.lambdaArn('corrupt'), {
        file: corrupt,
        exportName: 'single-user.handler',
      });
      const name = uniqueName('zip-corrupt');
      await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"p"}' }));
      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: server.lambdaArn('corrupt') }),
      );
      expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(
        '{"password":"p"}',
      );
    } finally {
      await server.stop();
    }
    expect(JSON.parse(logs[0] ?? '{}')).toMatchObject({
      errorName: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining('not a zip archive'),
    });
  });
});

describe('rotor-secrets-manager --lambda ARN=FILE.zip#module.export', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  function launch(args: string[]) {
    const child = spawn(
      process.execPath,
      [join(PACKAGE_DIR, 'bin', 'rotor-secrets-manager.js'), '--port', '0', ...args],
      {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, stderr: () => stderr, exit };
  }

  it('rotates through the zip given relative to the working directory', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:zip-cli';
    const run = launch(['--lambda', `${arn}=rotor-test.zip#single-user.handler`]);
    const endpoint = await new Promise<string>((resolve, reject) => {
      createInterface({ input: run.child.stdout! }).once('line', resolve);
      void run.exit.then(() => reject(new Error(`exited before ready: ${run.stderr()}`)));
    });
    const { versionId, password } = await rotateOnce(clientFor(endpoint), arn);
    expect(password).toBe(`zip-${versionId?.slice(0, 8)}`);
    expect(run.stderr()).toContain('"step":"finishSecret"');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('refuses a zip without a handler string, or a corrupt zip, before starting (exit 2)', async () => {
    writeFileSync(join(work, 'bad.zip'), 'garbage');
    const noHandler = launch(['--lambda', 'f=rotor-test.zip']);
    expect(await noHandler.exit).toBe(2);
    expect(noHandler.stderr()).toContain("Lambda's handler string");
    const corrupt = launch(['--lambda', 'f=bad.zip#single-user.handler']);
    expect(await corrupt.exit).toBe(2);
    expect(corrupt.stderr()).toContain('not a readable zip');
  });
});
