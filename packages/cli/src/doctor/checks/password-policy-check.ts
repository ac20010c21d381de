import {
  alternateUsername,
  alternateUsernameProblem,
  type DatabaseEngine,
  type DatabaseSecret,
  type RotationConfig,
  type StrategyName,
  usernameLength,
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
  // The username limit is for the clone alternating users create (<user>_clone); single-user
  // only changes a password, so no username limit applies to it.
  if (strategy !== 'alternating-users') return passed(name, summary);
  const unit = usernameLengthUnit(engine);
  if (!secret) {
    return passed(
      name,
      `${summary}; the alternate (clone) username may have up to ${config.maxUsernameLength} ${unit}`,
    );
  }
  const clone = alternateUsername(secret.username);
  const limit = `the alternate username ${JSON.stringify(clone)} has ${usernameLength(engine, clone)} of at most ${config.maxUsernameLength} ${unit}`;
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
