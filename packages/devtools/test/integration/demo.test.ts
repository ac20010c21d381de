// The demo as the README's first command (`pnpm demo`) runs it (in-process): it builds the zips, starts its
// own embedded PostgreSQL and the local Secrets Manager, rotates four times (the last with a
// superuser secret RDS manages, resolved through the local RDS API by the zip's rds-sdk.js) and
// exits 0, printing the expected sections and never a password.

import { findRepoRoot } from '@rotor/cli';
import { runDemoCommand } from '../../src/demo/demo-command';
import * as demoDatabase from '../../src/demo/new-password';
import { ZipRotationRig } from '../../src/demo/zip-rotation-rig';

const repoRoot = findRepoRoot(__dirname);
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it removes
const stripAnsi = (text: string) => text.replace(/\u001b\[\d+m/g, '');

async function demo(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDemoCommand(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    cwd: repoRoot,
  });
  return { code, out: out.join(''), err: err.join('') };
}

afterEach(() => jest.restoreAllMocks());

it('rotates single-user, then alternating three times (the last with an RDS-managed superuser), proves each login and exits 0', async () => {
  const created = jest.spyOn(demoDatabase, 'newPassword');
  const read = jest.spyOn(ZipRotationRig.prototype, 'currentValue');
  const { code, out, err } = await demo();
  expect(err).toBe('');
  expect(code).toBe(0);
  const text = stripAnsi(out);
  for (const section of [
    'Building the Lambda zips',
    'Starting embedded PostgreSQL',
    'Starting the local Secrets Manager with dist/rotor-postgres.zip',
    "Stored the secrets in AWS's format",
    '1. single user',
    '2. alternating users',
    '3. alternating users, again',
    'The local RDS API reports this database as DB instance rotor-demo',
    '4. alternating users, superuser secret managed by RDS',
    "the superuser's host came from RDS DescribeDBInstances (DB instance rotor-demo)",
    'All 16 checks held.',
  ]) {
    expect(text).toContain(section);
  }
  expect(text).toMatch(/stages after +[0-9a-f]{8} AWSCURRENT {3}[0-9a-f]{8} AWSPREVIOUS/);
  expect(text).toMatch(/current user +app_user_clone {2}\(was app_user\)/);
  expect(text).toMatch(
    /steps +createSecret \d+ ms · setSecret \d+ ms · testSecret \d+ ms · finishSecret \d+ ms/,
  );
  expect(text).toContain('12 Secrets Manager calls');
  expect(text).toContain('13 Secrets Manager calls');
  expect(text).not.toContain('✗');

  // The admin's and app's first passwords, and every password rotated in (read back through the SDK).
  const passwords = [
    ...created.mock.results.map((r) => String(r.value)),
    ...(await Promise.all(read.mock.results.map((r) => r.value as Promise<Record<string, unknown>>))).map(
      (v) => String(v.password),
    ),
  ];
  expect(new Set(passwords).size).toBe(6);
  for (const password of passwords) expect(out.includes(password)).toBe(false);
}, 300_000);

it('--json prints only a summary, with every check held and no password', async () => {
  const created = jest.spyOn(demoDatabase, 'newPassword');
  const { code, out } = await demo('--json');
  expect(code).toBe(0);
  const report = JSON.parse(out) as {
    ok: boolean;
    rotations: { strategy: string; userAfter: string; checks: { held: boolean }[]; steps: unknown[] }[];
    checks: { held: boolean }[];
  };
  expect(report.ok).toBe(true);
  expect(report.rotations.map((r) => [r.strategy, r.userAfter, r.steps.length])).toEqual([
    ['single-user', 'app_user', 4],
    ['alternating-users', 'app_user_clone', 4],
    ['alternating-users', 'app_user', 4],
    ['alternating-users', 'app_user_clone', 4],
  ]);
  expect([...report.rotations.flatMap((r) => r.checks), ...report.checks].every((c) => c.held)).toBe(true);
  for (const r of created.mock.results) expect(out.includes(String(r.value))).toBe(false);
}, 300_000);
