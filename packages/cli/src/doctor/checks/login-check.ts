import type { DatabaseSecret, LoginFailedError } from '@rotor/rotation-core';
import { loginAsFunctionWould, type SessionSettings } from '../database-session';
import { type DoctorCheck, failed, passed } from '../doctor-check';

/** The rotated secret's own login, as the function makes it, and the test query. */
export async function loginCheck(session: SessionSettings, secret: DatabaseSecret): Promise<DoctorCheck> {
  const name = 'login';
  const what = 'the secret (AWSCURRENT)';
  const attempt = await loginAsFunctionWould(session, secret, 'AWSCURRENT');
  if ('failure' in attempt) {
    return failed(
      name,
      `${what} does not log in as ${JSON.stringify(secret.username)} over ${attempt.transport}: ${attempt.failure.detail}`,
      loginFix(attempt.failure),
    );
  }
  try {
    await session.engine.runTestQuery(attempt.connection);
  } catch (error) {
    return failed(
      name,
      `${what} logs in as ${JSON.stringify(secret.username)} but the test query failed: ${(error as Error).message}`,
      'the user needs to be able to run a trivial query in its database',
    );
  } finally {
    await session.engine.close(attempt.connection);
  }
  return passed(name, `${what} logs in as ${JSON.stringify(secret.username)} over ${attempt.transport}`);
}

/** What to change for a failed login, by the engine's classification of it. */
export function loginFix(failure: LoginFailedError): string {
  switch (failure.reason) {
    case 'authentication':
      return "the password in the secret does not match the database user (or the user does not exist): set the user's password to the secret's, or put the right one into the secret";
    case 'tls':
      return 'see the tls check';
    case 'network':
      return 'see the port check';
    default:
      return 'check "dbname" and the user\'s right to connect to it';
  }
}
