import {
  alternateUsernameProblem,
  type DatabaseEngine,
  type DatabaseSecret,
  type RotationConfig,
  type StrategyName,
  usernameLengthUnit,
} from '@rotor/rotation-core';
import { type DoctorCheck, failed, passed } from '../doctor-check';

/**
 * The function's password settings, and for alternating users core's own alternate-name rule
 * (the engine's limit in its unit: bytes for PostgreSQL).
 */
export function passwordPolicyCheck(
  engine: DatabaseEngine,
  config: RotationConfig | undefined,
  configProblem: string | undefined,
  strategy: StrategyName | undefined,
  secret: DatabaseSecret | undefined,
): DoctorCheck {
  const name = 'password-policy';
  if (!config) {
    return failed(
      name,
      configProblem ?? 'the configuration cannot be read',
      "change the rotation function's environment variables as the message says (PASSWORD_LENGTH, EXCLUDE_*, REQUIRE_EACH_INCLUDED_TYPE, ...)",
    );
  }
  const p = config.password;
  const summary = `PASSWORD_LENGTH ${p.length}, excluded characters ${JSON.stringify(p.excludeCharacters)}${p.excludedClasses.length > 0 ? `, no ${p.excludedClasses.join(', ')}` : ''}${p.requireEachIncludedType ? ', each included type required' : ''}`;
  if (strategy !== 'alternating-users') return passed(name, summary);
  const limit = `alternate usernames up to ${config.maxUsernameLength} ${usernameLengthUnit(engine)}`;
  if (!secret) return passed(name, `${summary}; ${limit}`);
  const problem = alternateUsernameProblem(engine, secret.username, config.maxUsernameLength);
  if (problem) {
    return failed(
      name,
      problem,
      engine.usernameLimitVariable
        ? `shorten the username, or raise ${engine.usernameLimitVariable} if the server allows longer names`
        : 'shorten the username',
    );
  }
  return passed(name, `${summary}; ${limit}`);
}
