// The built `rotor-secrets-manager` command as a user runs it: a child process that prints its
// endpoint, serves the SDK, rotates through a handler file, persists with --state and stops
// cleanly on SIGTERM/SIGINT.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsError, clientFor } from '../helpers/emulator';

const PACKAGE_DIR = join(__dirname, '..', '..');
const BIN = join(PACKAGE_DIR, 'bin', 'rotor-secrets-manager.js');
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:cli-rotation';

interface Running {
  child: ChildProcess;
  endpoint: string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];
let stateDir: string;

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'rotor-sm-state-'));
});

afterAll(() => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

function launch(args: string[]): { child: ChildProcess; stderr: () => string; exit: Running['exit'] } {
  // Relative --lambda and --state paths resolve against this working directory.
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exit };
}

/** Starts the command and waits for its one stdout line, the endpoint URL. */
async function start(args: string[]): Promise<Running> {
  const launched = launch(['--port', '0', ...args]);
  const lines = createInterface({ input: launched.child.stdout! });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no endpoint line; stderr: ${launched.stderr()}`)),
      20_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void launched.exit.then(() => reject(new Error(`exited before ready; stderr: ${launched.stderr()}`)));
  });
  return { ...launched, endpoint };
}

test('serves the SDK, rotates through a --lambda handler file, and exits 0 on SIGTERM', async () => {
  const server = await start([
    '--lambda',
    `${LAMBDA_ARN}=test/fixtures/rotation-handler.js#handler`,
    '--env',
    'PASSWORD_PREFIX=cli-',
  ]);
  expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const client = clientFor(server.endpoint);
  await client.send(
    new CreateSecretCommand({
      Name: 'cli/app',
      SecretString: JSON.stringify({ username: 'app', password: 'first' }),
    }),
  );
  expect((await client.send(new GetSecretValueCommand({ SecretId: 'cli/app' }))).SecretString).toContain(
    'first',
  );

  const rotated = await client.send(
    new RotateSecretCommand({
      SecretId: 'cli/app',
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 30 },
    }),
  );
  const value = await client.send(new GetSecretValueCommand({ SecretId: 'cli/app' }));
  expect(value.VersionId).toBe(rotated.VersionId);
  expect(JSON.parse(value.SecretString ?? '{}').password).toMatch(/^cli-/);
  // The function's console output goes to stderr, keeping stdout for the endpoint line.
  expect(server.stderr()).toContain('step finishSecret');

  await client.send(new DeleteSecretCommand({ SecretId: 'cli/app', ForceDeleteWithoutRecovery: true }));
  await awsError(
    client.send(new DescribeSecretCommand({ SecretId: 'cli/app' })),
    'ResourceNotFoundException',
  );

  server.child.kill('SIGTERM');
  expect(await server.exit).toEqual({ code: 0, signal: null });
});

test('--state keeps secrets across a restart; SIGINT also exits cleanly', async () => {
  const stateFile = join(stateDir, 'state.json');
  const first = await start(['--state', stateFile]);
  const created = await clientFor(first.endpoint).send(
    new CreateSecretCommand({ Name: 'kept', SecretString: 'survives', Tags: [{ Key: 'k', Value: 'v' }] }),
  );
  first.child.kill('SIGINT');
  expect(await first.exit).toEqual({ code: 0, signal: null });
  expect(JSON.parse(readFileSync(stateFile, 'utf8')).secrets).toHaveLength(1);

  const second = await start(['--state', stateFile]);
  const client = clientFor(second.endpoint);
  const value = await client.send(new GetSecretValueCommand({ SecretId: 'kept' }));
  expect(value.SecretString).toBe('survives');
  expect(value.ARN).toBe(created.ARN);
  expect((await client.send(new DescribeSecretCommand({ SecretId: created.ARN }))).Tags).toEqual([
    { Key: 'k', Value: 'v' },
  ]);
  second.child.kill('SIGTERM');
  expect(await second.exit).toEqual({ code: 0, signal: null });
});

test('a corrupt state file is refused and left as it was', async () => {
  const stateFile = join(stateDir, 'corrupt.json');
  writeFileSync(stateFile, '{"format": "rotor-secrets-manager-local-state", "secr');
  const run = launch(['--state', stateFile]);
  expect((await run.exit).code).toBe(1);
  expect(run.stderr()).toContain('StateFileError');
  expect(readFileSync(stateFile, 'utf8')).toBe('{"format": "rotor-secrets-manager-local-state", "secr');
});

test('a state file with a malformed entry is refused, naming the entry and not its value', async () => {
  const stateFile = join(stateDir, 'malformed.json');
  const text = JSON.stringify({
    format: 'rotor-secrets-manager-local-state',
    version: 1,
    region: 'us-east-1',
    accountId: '123456789012',
    secrets: [
      {
        arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf',
        name: 'app',
        createdDate: 1,
        lastChangedDate: 1,
        versions: [
          { versionId: 'x'.repeat(32), createdDate: 1, stages: 'AWSCURRENT', value: 'hunter2-secret' },
        ],
      },
    ],
  });
  writeFileSync(stateFile, text);
  const run = launch(['--state', stateFile]);
  expect((await run.exit).code).toBe(1);
  expect(run.stderr()).toMatch(
    /StateFileError: State file .*malformed\.json, secrets\[0\] \(app\): versions\[0\]\.stages/,
  );
  expect(run.stderr()).not.toContain('hunter2-secret');
  expect(readFileSync(stateFile, 'utf8')).toBe(text);
});

test('a state path in a directory that does not exist is refused before listening', async () => {
  const run = launch(['--state', join(stateDir, 'missing', 'state.json')]);
  let stdout = '';
  run.child.stdout?.setEncoding('utf8').on('data', (t: string) => {
    stdout += t;
  });
  expect((await run.exit).code).toBe(1);
  expect(run.stderr()).toMatch(/StateFileError: Cannot write state file .*missing/);
  expect(stdout).toBe('');
});

test('--faults injects the rules of a JSON file; a bad rule exits 2', async () => {
  const faultsFile = join(stateDir, 'faults.json');
  writeFileSync(
    faultsFile,
    JSON.stringify({ seed: 3, rules: [{ kind: 'throttle', operation: 'ListSecrets', nth: 1 }] }),
  );
  const server = await start(['--faults', faultsFile]);
  const client = clientFor(server.endpoint);
  await awsError(client.send(new ListSecretsCommand({})), 'ThrottlingException', 'Rate exceeded');
  expect((await client.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
  server.child.kill('SIGTERM');
  expect(await server.exit).toEqual({ code: 0, signal: null });

  writeFileSync(faultsFile, JSON.stringify({ rules: [{ kind: 'meteor' }] }));
  const bad = launch(['--faults', faultsFile]);
  expect((await bad.exit).code).toBe(2);
  expect(bad.stderr()).toContain('rules[0]: kind must be one of');
});

test('bad arguments exit 2 with the usage text', async () => {
  for (const args of [
    ['--port', 'eighty'],
    ['--lambda', 'no-equals-sign'],
    ['--frobnicate'],
    ['--env', 'A=1'],
  ]) {
    const run = launch(args);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toContain('Usage: rotor-secrets-manager');
  }
  const missing = launch(['--lambda', `${LAMBDA_ARN}=test/fixtures/nope.js#handler`]);
  expect((await missing.exit).code).toBe(2);
  expect(missing.stderr()).toContain('no such file');
});
