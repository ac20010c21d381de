import { readFileSync } from 'node:fs';
import type { DatabaseEngine, EngineEnvironment, PasswordClass } from './engine';
import { readEngineSetting } from './engine-module';
import { ConfigurationError } from './errors';
import { type LogLevel, parseLogLevel } from './logger';
import { type PasswordPolicy, passwordPolicyProblems } from './password';

/** Everything a rotation function reads from its environment, validated once at cold start. */
export interface RotationConfig {
  readonly password: PasswordPolicy;
  /** SECRETS_MANAGER_ENDPOINT; the SDK's regional endpoint when unset. */
  readonly secretsManagerEndpoint?: string;
  /** ROTOR_TLS_FALLBACK=deny forbids the plaintext retry for secrets without an `ssl` key. */
  readonly plaintextFallback: 'allow' | 'deny';
  /** Extra PEM certificates from ROTOR_CA_BUNDLE (a file path), trusted besides the RDS CAs. */
  readonly extraCa: readonly string[];
  readonly connectTimeoutMs: number;
  /**
   * ROTOR_DEADLINE_MARGIN_MS: how long before Lambda's own timeout a step stops waiting on the
   * network, to report its failure cleanly (capped at a third of the remaining time).
   */
  readonly deadlineMarginMs: number;
  /** ROTOR_STEP_TIMEOUT_MS: a step's deadline when there is no Lambda context (`rotor rotate`). */
  readonly localStepTimeoutMs: number;
  readonly maxUsernameLength: number;
  readonly logLevel: LogLevel;
  readonly env: EngineEnvironment;
}

const TRUE = new Set(['true', '1', 'y', 'yes']);
const FALSE = new Set(['false', '0', 'n', 'no', '']);

/**
 * Reads the same variables, with the same defaults, as the AWS templates (so a function's
 * configuration carries over unchanged), plus ROTOR_* settings. A bad value is a
 * ConfigurationError naming the variable.
 */
export function loadRotationConfig(engine: DatabaseEngine, env: EngineEnvironment): RotationConfig {
  const problems: string[] = [];
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    const v = raw.trim().toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    problems.push(`${name} must be true or false (also 1/0, yes/no, y/n), not ${JSON.stringify(raw)}`);
    return fallback;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };

  const excludedClasses: PasswordClass[] = [];
  if (bool('EXCLUDE_NUMBERS', false)) excludedClasses.push('digit');
  if (bool('EXCLUDE_PUNCTUATION', false)) excludedClasses.push('punctuation');
  if (bool('EXCLUDE_UPPERCASE', false)) excludedClasses.push('uppercase');
  if (bool('EXCLUDE_LOWERCASE', false)) excludedClasses.push('lowercase');
  const password: PasswordPolicy = {
    length: int('PASSWORD_LENGTH', 32, 1, 4096),
    excludeCharacters: env.EXCLUDE_CHARACTERS ?? engine.defaultExcludeCharacters,
    excludedClasses,
    requireEachIncludedType: bool('REQUIRE_EACH_INCLUDED_TYPE', true),
    alwaysRequired: engine.requiredPasswordClasses ?? [],
  };
  for (const p of passwordPolicyProblems(password)) problems.push(`password settings: ${p}`);

  const fallbackRaw = (env.ROTOR_TLS_FALLBACK ?? 'allow').trim().toLowerCase();
  if (fallbackRaw !== 'allow' && fallbackRaw !== 'deny') {
    problems.push(`ROTOR_TLS_FALLBACK must be allow or deny, not ${JSON.stringify(env.ROTOR_TLS_FALLBACK)}`);
  }

  const extraCa: string[] = [];
  const bundle = env.ROTOR_CA_BUNDLE?.trim();
  if (bundle) {
    try {
      extraCa.push(...splitPem(readFileSync(bundle, 'utf8')));
      if (extraCa.length === 0) problems.push(`ROTOR_CA_BUNDLE file ${bundle} holds no PEM certificate`);
    } catch (error) {
      problems.push(`ROTOR_CA_BUNDLE file ${bundle} cannot be read (${(error as Error).message})`);
    }
  }

  const endpoint = env.SECRETS_MANAGER_ENDPOINT?.trim();
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    problems.push(`SECRETS_MANAGER_ENDPOINT must be an http(s) URL, not ${JSON.stringify(endpoint)}`);
  }

  const logLevelRaw = env.ROTOR_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL;
  const logLevel = logLevelRaw === undefined ? 'info' : parseLogLevel(logLevelRaw);
  if (logLevel === undefined)
    problems.push(`ROTOR_LOG_LEVEL must be debug, info, warn or error, not ${JSON.stringify(logLevelRaw)}`);

  for (const setting of engine.settings) {
    const read = readEngineSetting(setting, env);
    if ('problem' in read) problems.push(read.problem);
  }
  let maxUsernameLength = 0;
  if (problems.length === 0) {
    try {
      maxUsernameLength = engine.maxUsernameLength(env);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  const config: RotationConfig = {
    password,
    ...(endpoint ? { secretsManagerEndpoint: endpoint } : {}),
    plaintextFallback: fallbackRaw === 'deny' ? 'deny' : 'allow',
    extraCa,
    connectTimeoutMs: int('ROTOR_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    deadlineMarginMs: int('ROTOR_DEADLINE_MARGIN_MS', 3000, 0, 600_000),
    localStepTimeoutMs: int('ROTOR_STEP_TIMEOUT_MS', 60_000, 100, 900_000),
    maxUsernameLength,
    logLevel: logLevel ?? 'info',
    env,
  };
  if (problems.length > 0) {
    throw new ConfigurationError(
      `invalid configuration for the ${engine.family} rotation function: ${problems.join('; ')}`,
    );
  }
  return config;
}

export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
