import { CLONE_SUFFIX, type DatabaseSecret, originalUsername } from '@rotor/rotation-core';
import { loginAsFunctionWould, type SessionSettings } from '../database-session';
import { type DoctorCheck, failed, passed, skipped } from '../doctor-check';
import { loginFix } from './login-check';

/** The superuser-login and superuser-privileges checks: can it log in, and clone the rotated user. */
export async function superuserChecks(
  session: SessionSettings,
  superuser: DatabaseSecret,
  rotatedUsername: string,
): Promise<[DoctorCheck, DoctorCheck]> {
  const original = originalUsername(rotatedUsername);
  const attempt = await loginAsFunctionWould(session, superuser, 'superuser');
  if ('failure' in attempt) {
    return [
      failed(
        'superuser-login',
        `the superuser secret does not log in as ${JSON.stringify(superuser.username)} over ${attempt.transport}: ${attempt.failure.detail}`,
        loginFix(attempt.failure),
      ),
      skipped('superuser-privileges', 'needs the superuser to log in'),
    ];
  }
  const login = passed(
    'superuser-login',
    `the superuser logs in as ${JSON.stringify(superuser.username)} over ${attempt.transport}`,
  );
  const { engine } = session;
  try {
    if (!engine.superuserPrivilegeProblems) {
      return [
        login,
        skipped('superuser-privileges', `the ${engine.family} engine has no privilege check yet`),
      ];
    }
    const problems = await engine.superuserPrivilegeProblems(attempt.connection, original);
    return [
      login,
      problems.length === 0
        ? passed(
            'superuser-privileges',
            `${JSON.stringify(superuser.username)} can create ${JSON.stringify(`${original}${CLONE_SUFFIX}`)} and grant it what ${JSON.stringify(original)} holds`,
          )
        : failed(
            'superuser-privileges',
            problems.join('; '),
            'grant the superuser what is listed, or point "masterarn" at a user that holds it',
          ),
    ];
  } catch (error) {
    return [
      login,
      failed(
        'superuser-privileges',
        `could not read the privileges: ${(error as Error).message}`,
        "the superuser needs to read its own grants and the original user's",
      ),
    ];
  } finally {
    await engine.close(attempt.connection);
  }
}
