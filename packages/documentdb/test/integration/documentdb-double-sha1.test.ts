import { type DoubleRig, skipLine, startDoubleRig, tlsAvailable } from './double-rig';

// End-to-end rotations through the Secrets Manager emulator against the testkit's MongoDB PROTOCOL
// DOUBLE playing a DocumentDB cluster before 5.0.1: SCRAM-SHA-1 only, so hello lists no mechanisms,
// the driver's SCRAM-SHA-256 attempt is refused (MechanismUnavailable, 334) and the engine logs in
// again with SCRAM-SHA-1. Over verified TLS.
skipLine('documentdb SCRAM-SHA-1-only rotations against the MongoDB protocol double');

(tlsAvailable ? describe : describe.skip)(
  'documentdb rotations against a SCRAM-SHA-1-only MongoDB protocol double (DocumentDB before 5.0.1, TLS)',
  () => {
    let rig: DoubleRig;
    const logins: string[] = [];

    beforeAll(async () => {
      rig = await startDoubleRig({ flavour: 'documentdb', scram: 'sha1-only' });
      rig.double.beforeCommand = (command) => {
        if (command.saslStart !== undefined) logins.push(String(command.mechanism));
        return undefined;
      };
    }, 120_000);
    afterAll(async () => {
      await rig?.stop();
    });
    afterEach(async () => {
      await rig.h.assertNoSecretsLogged();
    });

    async function rotate(arn: string, strategy: 'single-user' | 'alternating-users') {
      const token = await rig.h.rotate(arn, strategy);
      if (!(await rig.h.stages(arn))[token]?.includes('AWSCURRENT')) {
        const failure = rig.h.logs
          .records()
          .filter((r) => r.message === 'step failed')
          .at(-1);
        throw new Error(`rotation did not complete: ${JSON.stringify(failure)}`);
      }
      return rig.h.value(arn);
    }

    it('single-user: rotates; the new password logs in with SCRAM-SHA-1, the old one is refused', async () => {
      const user = await rig.h.appUser('rot_sha1');
      const arn = await rig.h.createSecret('sha1', rig.h.secretFor(user));
      logins.length = 0;
      const rotated = await rotate(arn, 'single-user');

      expect(rotated.password).not.toBe(user.password);
      // Every login asked for SHA-256 first, was refused, and succeeded with SHA-1.
      expect(logins.length).toBeGreaterThan(0);
      expect(logins.filter((m) => m === 'SCRAM-SHA-256').length).toBe(
        logins.filter((m) => m === 'SCRAM-SHA-1').length,
      );
      expect(await rig.adapter.canLogin(user.username, rotated.password as string)).toBe(true);
      expect(await rig.adapter.canLogin(user.username, user.password)).toBe(false);
      expect(await rig.user(user.username)).toMatchObject({ mechanisms: ['SCRAM-SHA-1'] });
    });

    it('alternating users: the clone gets SCRAM-SHA-1 credentials; both rotations complete, stale passwords refused', async () => {
      const user = await rig.h.appUser('rot_sha1a');
      const arn = await rig.h.createSecret(
        'sha1-alt',
        rig.h.secretFor(user, { masterarn: await rig.h.superuserSecret() }),
      );
      const first = await rotate(arn, 'alternating-users');
      const clone = `${user.username}_clone`;
      expect(first.username).toBe(clone);
      expect(await rig.user(clone)).toMatchObject({ mechanisms: ['SCRAM-SHA-1'] });
      expect(await rig.adapter.canLogin(clone, first.password as string)).toBe(true);
      expect(await rig.adapter.canRead(clone, first.password as string, user.table)).toBe(true);

      const second = await rotate(arn, 'alternating-users');
      expect(second.username).toBe(user.username);
      expect(await rig.adapter.canLogin(user.username, second.password as string)).toBe(true);
      expect(await rig.adapter.canLogin(user.username, user.password)).toBe(false);

      const third = await rotate(arn, 'alternating-users');
      expect(third.username).toBe(clone);
      expect(await rig.adapter.canLogin(clone, third.password as string)).toBe(true);
      expect(await rig.adapter.canLogin(clone, first.password as string)).toBe(false);
    });
  },
);
