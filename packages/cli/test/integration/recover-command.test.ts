import { randomUUID } from 'node:crypto';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type DatabaseServer, describeWithDatabase, uniqueName } from '@rotor/testkit';
import {
  type DatabaseFixture,
  expectNoSecrets,
  mariadbFixture,
  postgresFixture,
  rotor,
  SecretsFixture,
  testPassword,
} from '../support/command-fixture';

type Strategy = 'single-user' | 'alternating-users';

/** Where the failed rotation stopped: after createSecret (database untouched) or after setSecret. */
type FailedAfter = 'createSecret' | 'setSecret';

function recoverSuite(
  target: 'postgres' | 'mariadb',
  fixtureFor: (s: DatabaseServer) => DatabaseFixture,
): void {
  describeWithDatabase(target, `rotor recover on ${target}`, (server) => {
    let sm: SecretsFixture;
    let db: DatabaseFixture;
    const users: string[] = [];
    const passwords: string[] = [];

    beforeAll(async () => {
      sm = await SecretsFixture.start();
      db = fixtureFor(server());
    });
    afterAll(async () => {
      await db?.dropUsers(users.flatMap((u) => [`${u}_clone`, u]));
      await sm?.stop();
    });

    const secretFor = (username: string, password: string, extra: Record<string, unknown> = {}) => ({
      engine: db.engineValue,
      host: db.host,
      port: db.port,
      username,
      password,
      ...db.extras,
      ...extra,
    });

    /** A secret whose rotation failed at `failedAfter`, the state left exactly as the steps leave it. */
    async function stuckSecret(strategy: Strategy, failedAfter: FailedAfter) {
      const username = uniqueName('app_');
      const password = testPassword();
      users.push(username);
      passwords.push(password);
      await db.createUser(username, password);
      let extra: Record<string, unknown> = {};
      if (strategy === 'alternating-users') {
        const superName = uniqueName('su_');
        const superPassword = testPassword();
        users.push(superName);
        passwords.push(superPassword);
        await db.createUser(superName, superPassword, true);
        extra = { masterarn: await sm.create(uniqueName('super/'), secretFor(superName, superPassword)) };
      }
      const arn = await sm.create(uniqueName('app/'), secretFor(username, password, extra));
      const currentVersion = Object.keys(await sm.stages(arn))[0] as string;

      // createSecret: a new version labelled AWSPENDING with the new password (for alternating
      // users, the clone's); the database is untouched.
      const pendingUser = strategy === 'alternating-users' ? `${username}_clone` : username;
      const pendingPassword = testPassword();
      passwords.push(pendingPassword);
      const pendingVersion = randomUUID();
      await sm.client.send(
        new PutSecretValueCommand({
          SecretId: arn,
          ClientRequestToken: pendingVersion,
          SecretString: JSON.stringify(secretFor(pendingUser, pendingPassword, extra)),
          VersionStages: ['AWSPENDING'],
        }),
      );
      // setSecret: the database now holds the pending password.
      if (failedAfter === 'setSecret') {
        if (strategy === 'alternating-users') await db.createUser(pendingUser, pendingPassword);
        else await db.setPassword(username, pendingPassword);
      }
      return { arn, username, password, pendingUser, pendingPassword, currentVersion, pendingVersion };
    }

    const endpointArgs = () => ['--endpoint', sm.endpoint];

    async function expectRotateSucceeds(arn: string) {
      const rotated = await rotor(
        'rotate',
        '--secret-id',
        arn,
        '--engine',
        db.engineValue,
        ...endpointArgs(),
      );
      expect(rotated.err).toBe('');
      expect(rotated.code).toBe(0);
      const current = await sm.value(arn);
      passwords.push(current.password as string);
      expect(await db.canLogin(current.username as string, current.password as string)).toBe(true);
      return rotated;
    }

    const cases: [Strategy, FailedAfter, 'remove-pending' | 'complete-rotation'][] = [
      ['single-user', 'createSecret', 'remove-pending'],
      ['single-user', 'setSecret', 'complete-rotation'],
      ['alternating-users', 'createSecret', 'remove-pending'],
      // Both users log in: AWSCURRENT is kept.
      ['alternating-users', 'setSecret', 'remove-pending'],
    ];

    it.each(cases)(
      '%s failed after %s: doctor reports it, rotate names recover, recover does %s',
      async (strategy, failedAfter, decision) => {
        const s = await stuckSecret(strategy, failedAfter);
        const stuckStages = await sm.stages(s.arn);
        const recoverLine = `rotor recover ${s.arn} --endpoint ${sm.endpoint}`;
        const outputs: string[] = [];

        // doctor: the stuck rotation is a failed check whose fix is the exact command.
        const doctor = await rotor('doctor', '--secret-id', s.arn, ...endpointArgs(), '--json');
        outputs.push(doctor.out, doctor.err);
        const state = (
          JSON.parse(doctor.out) as {
            checks: { name: string; status: string; detail: string; fix?: string }[];
          }
        ).checks.find((c) => c.name === 'rotation-state');
        expect(state?.status).toBe('failed');
        expect(state?.detail).toContain(`version ${s.pendingVersion} holds AWSPENDING without AWSCURRENT`);
        expect(state?.fix).toContain(recoverLine);
        expect(doctor.code).toBe(1);

        // rotate refuses, and its error ends with the exact next command.
        const blocked = await rotor(
          'rotate',
          '--secret-id',
          s.arn,
          '--engine',
          db.engineValue,
          ...endpointArgs(),
        );
        outputs.push(blocked.out, blocked.err);
        expect(blocked.code).toBe(1);
        expect(blocked.err).toContain("a previous rotation isn't complete");
        expect(blocked.err).toContain(
          `Next: rotor recover ${s.arn} --engine ${db.engineValue} --endpoint ${sm.endpoint}`,
        );

        // Dry run: says what it would do, changes nothing.
        const dry = await rotor('recover', s.arn, ...endpointArgs());
        outputs.push(dry.out, dry.err);
        expect(dry.err).toBe('');
        expect(dry.code).toBe(0);
        expect(dry.out).toMatch(
          decision === 'remove-pending'
            ? /Decision: remove the AWSPENDING label; AWSCURRENT stays/
            : /Decision: finish the rotation: AWSCURRENT moves to the pending version/,
        );
        expect(dry.out).toContain(
          `aws secretsmanager update-secret-version-stage --secret-id ${s.arn} --version-stage AWSPENDING --remove-from-version-id ${s.pendingVersion}`,
        );
        expect(dry.out).toContain(`Dry run: nothing changed. To do it: ${recoverLine} --apply`);
        expect(await sm.stages(s.arn)).toEqual(stuckStages);

        // --apply, with --json: the same plan, done.
        const applied = await rotor('recover', s.arn, ...endpointArgs(), '--apply', '--json');
        outputs.push(applied.out, applied.err);
        expect(applied.code).toBe(0);
        const report = JSON.parse(applied.out) as {
          decision: string;
          applied: boolean;
          current: { status: string; username: string };
          pending: { status: string; username: string };
        };
        expect(report).toMatchObject({ decision, applied: true });
        expect(report.current).toMatchObject({
          status: failedAfter === 'setSecret' && strategy === 'single-user' ? 'refused' : 'logs-in',
          username: s.username,
        });
        expect(report.pending).toMatchObject({
          status: failedAfter === 'setSecret' ? 'logs-in' : 'refused',
          username: s.pendingUser,
        });

        const stages = await sm.stages(s.arn);
        if (decision === 'complete-rotation') {
          expect(stages[s.pendingVersion]).toEqual(['AWSCURRENT']);
          expect(stages[s.currentVersion]).toEqual(['AWSPREVIOUS']);
          expect((await sm.value(s.arn)).password).toBe(s.pendingPassword);
        } else {
          expect(stages[s.currentVersion]).toEqual(['AWSCURRENT']);
          expect(stages[s.pendingVersion] ?? []).toEqual([]);
          expect((await sm.value(s.arn)).password).toBe(s.password);
        }
        const current = await sm.value(s.arn);
        expect(await db.canLogin(current.username as string, current.password as string)).toBe(true);

        // Nothing stuck any more: doctor passes the check, and the next rotation runs.
        const again = await rotor('recover', s.arn, ...endpointArgs());
        expect(again.out).toContain('No rotation is stuck');
        const rotated = await expectRotateSucceeds(s.arn);
        outputs.push(rotated.out, rotated.err, again.out, again.err);
        expectNoSecrets(outputs, passwords);
      },
    );

    it('refuses when neither version logs in, exit 1, saying what each gave, even with --apply', async () => {
      const s = await stuckSecret('single-user', 'setSecret');
      const third = testPassword();
      passwords.push(third);
      await db.setPassword(s.username, third);
      const stuckStages = await sm.stages(s.arn);

      for (const apply of [[], ['--apply']]) {
        const refused = await rotor('recover', s.arn, ...endpointArgs(), ...apply);
        expect(refused.code).toBe(1);
        expect(refused.out).toMatch(/AWSCURRENT {2}\S+ {2}user "[^"]+" {2}refused by the server: /);
        expect(refused.out).toMatch(/AWSPENDING {2}\S+ {2}user "[^"]+" {2}refused by the server: /);
        expect(refused.out).toContain('Decision: refused: nothing is changed.');
        expect(refused.err).toMatch(/^rotor: recover: refused: neither AWSCURRENT nor AWSPENDING logs in/);
        // No rotor command fixes a password neither version holds: set it, then run recover again.
        expect(refused.err).toContain(
          `\nNext: rotor recover ${s.arn} --endpoint ${sm.endpoint}   # after setting the database password to the AWSCURRENT or AWSPENDING one`,
        );
        expectNoSecrets([refused.out, refused.err], passwords);
      }
      expect(await sm.stages(s.arn)).toEqual(stuckStages);
      const json = await rotor('recover', s.arn, ...endpointArgs(), '--json');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.out)).toMatchObject({
        decision: 'refuse',
        applied: false,
        actions: [],
        next: [{ command: `rotor recover ${s.arn} --endpoint ${sm.endpoint}` }],
      });
    });
  });
}

recoverSuite('postgres', postgresFixture);
recoverSuite('mariadb', mariadbFixture);

describe('rotor recover arguments', () => {
  let sm: SecretsFixture;
  beforeAll(async () => {
    sm = await SecretsFixture.start();
  });
  afterAll(async () => {
    await sm?.stop();
  });

  it('says there is nothing to do for a secret with no stuck rotation (without touching a database)', async () => {
    const arn = await sm.create(uniqueName('idle/'), {
      engine: 'postgres',
      host: '127.0.0.1',
      username: 'u',
      password: 'unused-password',
    });
    const result = await rotor('recover', arn, '--endpoint', sm.endpoint, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ stuck: false, decision: 'nothing-to-do', actions: [] });
  });

  it('refuses wrong arguments with exit 2 and a missing secret with exit 1', async () => {
    expect((await rotor('recover')).code).toBe(2);
    expect((await rotor('recover', 'a', 'b')).code).toBe(2);
    const engine = await rotor('recover', 'a', '--engine', 'oracle');
    expect(engine.code).toBe(2);
    expect(engine.err).toContain('unknown engine "oracle"');
    const missing = await rotor('recover', 'no/such/secret', '--endpoint', sm.endpoint);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('recover: secret no/such/secret not found');
  });
});
