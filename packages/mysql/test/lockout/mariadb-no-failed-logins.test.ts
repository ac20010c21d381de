import type { StrategyName } from '@rotor/rotation-core';
import { ConformanceHarness, describeWithDatabase, mysqlAdminConnection } from '@rotor/testkit';
import { createMysqlTestAdapter, dropAdapterDatabases } from '../integration/mysql-test-adapter';

/**
 * MariaDB's max_password_errors=1 blocks an account after a single failed login: a rotation that
 * tried a password that is not set yet would lock the application out. The setting is GLOBAL, so
 * this file runs alone (jest.lockout.config.js) and puts the old value back whatever happens.
 */
describeWithDatabase(
  'mariadb',
  'mariadb: no failed login in the normal path (max_password_errors=1)',
  (server) => {
    let h: ConformanceHarness;

    beforeAll(async () => {
      h = new ConformanceHarness(await createMysqlTestAdapter('mariadb', server()));
      await h.start();
    }, 120_000);

    afterAll(async () => {
      await h?.stop();
      await dropAdapterDatabases();
    });

    /** Runs `fn` with max_password_errors=1, restoring the previous value afterwards. */
    const withLockoutAfterOneError = async (fn: () => Promise<void>) => {
      const admin = await mysqlAdminConnection(server());
      try {
        const [rows] = await admin.query('SELECT @@GLOBAL.max_password_errors AS value');
        const previous = (rows as { value: number | string }[])[0]?.value;
        await admin.query('SET GLOBAL max_password_errors = 1');
        try {
          await fn();
        } finally {
          await admin.query('SET GLOBAL max_password_errors = ?', [Number(previous)]);
        }
      } finally {
        await admin.end();
      }
    };

    const rotate = async (arn: string, strategy: StrategyName) => {
      const token = await h.rotate(arn, strategy);
      const stages = await h.stages(arn);
      if (!stages[token]?.includes('AWSCURRENT')) {
        const failures = h.logs.records().filter((r) => r.message === 'step failed');
        throw new Error(`rotation did not complete: ${JSON.stringify(failures.at(-1))}`);
      }
    };

    it('the setting is in force: one wrong password blocks the account', async () => {
      await withLockoutAfterOneError(async () => {
        const user = await h.appUser('rot_lock_probe');
        expect(await h.adapter.canLogin(user.username, 'Wrong-Password-1')).toBe(false);
        await expect(h.adapter.canLogin(user.username, user.password)).rejects.toThrow(
          /blocked|password errors/i,
        );
      });
    });

    it.each(['single-user', 'alternating-users'] as const)(
      '%s: three rotations in a row, and every account stays usable',
      async (strategy) => {
        await withLockoutAfterOneError(async () => {
          const user = await h.appUser('rot_lock');
          const extra = strategy === 'alternating-users' ? { masterarn: await h.superuserSecret() } : {};
          const arn = await h.createSecret('app', h.secretFor(user, extra));
          for (let i = 0; i < 3; i++) {
            await rotate(arn, strategy);
            const current = await h.value(arn);
            expect(await h.adapter.canLogin(current.username as string, current.password as string)).toBe(
              true,
            );
          }
          const su = h.adapter.superuser();
          expect(await h.adapter.canLogin(su.username, su.password)).toBe(true);
        });
        await h.assertNoSecretsLogged();
      },
    );
  },
);
