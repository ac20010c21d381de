import type { DatabaseEngine } from './engine';
import { alternateUsername, type DatabaseSecret, type SecretRules } from './secret-value';
import type { StrategyName } from './strategies/rotation-strategy';

/**
 * The rules a rotation applies to secrets and names, in one place: the rotation enforces them and
 * `rotor doctor` / `rotor recover` report them, so a secret the doctor passes is one the rotation
 * accepts and the other way round.
 */

/** Alternating users: the second user is `<user>_clone`. */
export const CLONE_SUFFIX = '_clone';

/** The original user's name for either of the two alternating users. */
export function originalUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username;
}

/** The clone's name for either of the two alternating users. */
export function cloneUsername(username: string): string {
  return `${originalUsername(username)}${CLONE_SUFFIX}`;
}

/** How a rotated secret of `strategy` is validated (AWSCURRENT and AWSPENDING). */
export function secretRulesFor(strategy: StrategyName, engine: DatabaseEngine): SecretRules {
  return {
    engineNames: engine.engineNames,
    engineNamePrefixes: engine.engineNamePrefixes ?? [],
    defaultPort: engine.defaultPort,
    requireEngine: strategy === 'single-user',
    requireMasterArn: strategy === 'alternating-users',
  };
}

/** How the superuser secret (masterarn) is validated: a managed secret has no host. */
export function superuserSecretRules(engine: DatabaseEngine): SecretRules {
  return {
    engineNames: engine.engineNames,
    engineNamePrefixes: engine.engineNamePrefixes ?? [],
    defaultPort: engine.defaultPort,
    requireEngine: false,
    requireMasterArn: false,
    hostOptional: true,
  };
}

/** How a secret read only to log in with (recovery) is validated: no strategy's keys required. */
export function loginSecretRules(engine: DatabaseEngine): SecretRules {
  return { ...secretRulesFor('single-user', engine), requireEngine: false };
}

/** What the engine's username limit counts. */
export function usernameLengthUnit(engine: DatabaseEngine): 'characters' | 'bytes' {
  return engine.usernameLengthUnit ?? 'characters';
}

/** A username's length in the engine's unit. */
export function usernameLength(engine: DatabaseEngine, username: string): number {
  return usernameLengthUnit(engine) === 'bytes' ? Buffer.byteLength(username, 'utf8') : [...username].length;
}

/**
 * Why the name the next alternating-users rotation moves `username` to is too long for the engine
 * (with the fix), or undefined.
 */
export function alternateUsernameProblem(
  engine: DatabaseEngine,
  username: string,
  maxUsernameLength: number,
): string | undefined {
  const next = alternateUsername(username);
  const length = usernameLength(engine, next);
  if (length <= maxUsernameLength) return undefined;
  const unit = usernameLengthUnit(engine);
  return (
    `the alternate username ${JSON.stringify(next)} is ${length} ${unit} long; ${engine.family} allows ${maxUsernameLength}` +
    ` (shorten the username to ${maxUsernameLength - CLONE_SUFFIX.length} ${unit}${engine.usernameLimitVariable ? ` or raise ${engine.usernameLimitVariable}` : ''})`
  );
}

/**
 * Why the superuser may not act for this rotated user, or undefined: it must never be one of the
 * two users, or a rotation would set its password to one the application holds and the superuser
 * secret would stop working.
 */
export function superuserIdentityProblem(
  superuser: DatabaseSecret,
  rotatedUsername: string,
): string | undefined {
  const original = originalUsername(rotatedUsername);
  if (superuser.username !== original && superuser.username !== cloneUsername(original)) return undefined;
  return `the superuser secret (masterarn) is for user ${JSON.stringify(superuser.username)}, which is ${superuser.username === original ? 'the rotated user' : "the rotated user's clone"}; alternating users must never rotate the superuser's own password`;
}
