import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithDatabase, uniqueName } from '@rotor/testkit';
import { createDoctorCommand } from '../../src/commands/doctor';
import { createPackageCommand } from '../../src/commands/package-command';
import { createRotateCommand } from '../../src/commands/rotate';
import { deployTemplateFiles } from '../../src/deploy/template';
import type { DoctorReport } from '../../src/doctor/doctor-check';
import { runCli } from '../../src/run-cli';
import { fixtureModule } from '../fixtures/fixture-engine/src/fixture-module';
import {
  type CommandOutput,
  type DatabaseFixture,
  expectNoSecrets,
  postgresFixture,
  SecretsFixture,
  testPassword,
} from '../support/command-fixture';

// An engine the CLI has never heard of, registered through its descriptor alone: the zip, the
// deploy template, `rotor rotate` and `rotor doctor` all come from that one object.

const REGISTRY = [fixtureModule];

async function run(argv: string[]): Promise<CommandOutput> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: __dirname }, [
    createPackageCommand(REGISTRY),
    createRotateCommand(REGISTRY),
    createDoctorCommand(REGISTRY),
  ]);
  return { code, out, err };
}

describe('an engine registered through its descriptor alone', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rotor-fixture-descriptor-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('gets a zip from `rotor package`', async () => {
    const result = await run(['package', '--engine', 'fixture', '--out', work, '--json']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const { zips } = JSON.parse(result.out) as { zips: { file: string; entries: string[] }[] };
    expect(zips.map((z) => z.file)).toEqual([join(work, 'rotor-fixture.zip')]);
    expect(existsSync(join(work, 'rotor-fixture.zip'))).toBe(true);
    expect(zips[0]?.entries).toEqual(expect.arrayContaining(['single-user.js', 'alternating-users.js']));
  });

  it('gets a deploy template', () => {
    const files = deployTemplateFiles(REGISTRY);
    expect([...files.keys()]).toEqual(['rotor-fixture.template.json']);
    const template = JSON.parse(files.get('rotor-fixture.template.json') as string) as {
      Description?: string;
      Resources: Record<string, unknown>;
    };
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    expect(JSON.stringify(template)).toContain('fixture');
  });
});

describeWithDatabase('postgres', 'the descriptor-only engine rotates and is doctored', (server) => {
  let sm: SecretsFixture;
  let db: DatabaseFixture;
  const users: string[] = [];
  const passwords: string[] = [];
  const outputs: string[] = [];

  beforeAll(async () => {
    sm = await SecretsFixture.start();
    db = postgresFixture(server());
  });
  afterAll(async () => {
    await db?.dropUsers(users);
    await sm?.stop();
  });
  afterEach(() => expectNoSecrets(outputs.splice(0), passwords));

  async function fixtureSecret() {
    const username = uniqueName('fx_');
    const password = testPassword();
    users.push(username);
    passwords.push(password);
    await db.createUser(username, password);
    const arn = await sm.create(uniqueName('fixture/'), {
      ...db.extras,
      engine: 'fixture',
      host: db.host,
      port: db.port,
      username,
      password,
    });
    return { arn, username, password };
  }

  it('`rotor rotate` rotates a real secret through the emulator', async () => {
    const app = await fixtureSecret();
    const result = await run([
      'rotate',
      '--secret-id',
      app.arn,
      '--engine',
      'fixture',
      '--endpoint',
      sm.endpoint,
    ]);
    outputs.push(result.out, result.err);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('engine fixture (fixture), strategy single-user');
    const rotated = await sm.value(app.arn);
    passwords.push(rotated.password as string);
    expect(rotated.password).not.toBe(app.password);
    expect(await db.canLogin(app.username, rotated.password as string)).toBe(true);
    expect(await db.canLogin(app.username, app.password)).toBe(false);
  });

  it('`rotor doctor` passes a healthy secret of the engine', async () => {
    const app = await fixtureSecret();
    const result = await run(['doctor', '--secret-id', app.arn, '--endpoint', sm.endpoint, '--json']);
    outputs.push(result.out, result.err);
    const report = JSON.parse(result.out) as DoctorReport;
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(report.checks.find((c) => c.name === 'secret')?.detail).toMatch(/^fixture secret for user/);
    expect(result.code).toBe(0);
  });
});
