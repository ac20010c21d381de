import { type RotationErrorContext, SecretFormatError, UnsupportedEngineError } from './errors';
import { jsonSyntaxProblem } from './json-syntax';

/**
 * `ssl` key semantics (AWS templates): a boolean or "true"/"false" in any case means exactly that;
 * absent or anything else means "try verified TLS, fall back to plaintext" (`prefer`).
 */
export type SslMode = 'require' | 'disable' | 'prefer';

/** A database secret in AWS's JSON format, validated. `fields` is the JSON as stored. */
export interface DatabaseSecret {
  readonly engine?: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
  readonly ssl: SslMode;
  readonly masterarn?: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface SecretRules {
  /** Engine names accepted in the `engine` key. */
  readonly engineNames: readonly string[];
  /** Prefixes of further accepted engine names. */
  readonly engineNamePrefixes?: readonly string[];
  readonly defaultPort: number;
  /** `engine` must be present (single-user templates check it). */
  readonly requireEngine: boolean;
  /** `masterarn` must be present (alternating users). */
  readonly requireMasterArn: boolean;
  /** `host` may be absent (never for the rotated secret; see alternating-users-strategy). */
  readonly hostOptional?: boolean;
}

/**
 * A secret string's JSON object, before any key is checked. A SecretFormatError says where and
 * what is wrong (line, column, the problem), never what the text holds.
 */
export function parseSecretJson(
  secretString: string | undefined,
  what: string,
  context: RotationErrorContext,
): Record<string, unknown> {
  const fail = (problem: string) => new SecretFormatError(`${what}: ${problem}`, context);
  if (secretString === undefined) throw fail('has no SecretString (binary secrets are not database secrets)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw fail(
      `SecretString is not valid JSON: ${jsonSyntaxProblem(secretString) ?? 'JSON.parse refused it'}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail(`SecretString must be a JSON object, not ${typeName(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Parses and validates a secret string. Errors name the version label and the key, never the
 * value of `password` or the secret string.
 */
export function parseDatabaseSecret(
  secretString: string | undefined,
  rules: SecretRules,
  what: string,
  context: RotationErrorContext,
): DatabaseSecret {
  const fail = (problem: string) => new SecretFormatError(`${what}: ${problem}`, context);
  const fields = parseSecretJson(secretString, what, context);

  const text = (key: string, required: boolean): string | undefined => {
    const value = fields[key];
    if (value === undefined || value === null) {
      if (required) throw fail(`key "${key}" is missing`);
      return undefined;
    }
    if (typeof value !== 'string') throw fail(`key "${key}" must be a string, not ${typeName(value)}`);
    if (required && value.length === 0) throw fail(`key "${key}" is empty`);
    return value;
  };

  const engine = text('engine', rules.requireEngine);
  if (engine !== undefined && !acceptsEngineName(rules, engine)) {
    // The value is not echoed: in a secret with mixed-up keys it may be the password.
    throw new UnsupportedEngineError(
      `${what}: key "engine" names an engine this function does not rotate (expected ${rules.engineNames.join(', ')})`,
      context,
    );
  }
  const host = text('host', !rules.hostOptional) ?? '';
  const username = text('username', true) as string;
  if ([...username].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw fail('key "username" contains control characters');
  }
  const password = text('password', true) as string;
  const dbname = text('dbname', false);
  if (dbname === '') throw fail('key "dbname" is empty');
  const masterarn = text('masterarn', rules.requireMasterArn);
  if (masterarn !== undefined && !masterarn.startsWith('arn:')) {
    throw fail('key "masterarn" must be the ARN of the superuser secret (arn:...)');
  }

  return {
    ...(engine !== undefined ? { engine } : {}),
    host,
    port: parsePort(fields.port, rules.defaultPort, fail),
    username,
    password,
    ...(dbname !== undefined ? { dbname } : {}),
    ssl: parseSsl(fields.ssl),
    ...(masterarn !== undefined ? { masterarn } : {}),
    fields,
  };
}

function parsePort(value: unknown, defaultPort: number, fail: (problem: string) => Error): number {
  if (value === undefined || value === null || value === '') return defaultPort;
  const port =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value.trim())
        : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    // The value is not echoed: in a secret with mixed-up keys it may be the password.
    throw fail(`key "port" must be a port number (1-65535) or a numeric string, not ${portProblem(value)}`);
  }
  return port;
}

function parseSsl(value: unknown): SslMode {
  if (value === true) return 'require';
  if (value === false) return 'disable';
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'true') return 'require';
    if (v === 'false') return 'disable';
  }
  return 'prefer';
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** What is wrong with a `port` value, without the value. */
function portProblem(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number out of range' : 'a fraction';
  if (typeof value === 'string') {
    return /^\s*\d+\s*$/.test(value)
      ? 'a numeric string out of range'
      : 'a string that is not a whole number';
  }
  return typeName(value);
}

/** The alternating-users naming rule: strip a trailing `_clone`, else append it. */
export function alternateUsername(username: string): string {
  return username.endsWith('_clone') ? username.slice(0, -'_clone'.length) : `${username}_clone`;
}

/** A copy of the secret JSON with new values; every other key is carried over untouched. */
export function withChanges(
  secret: DatabaseSecret,
  changes: { username?: string; password: string },
): string {
  return JSON.stringify({ ...secret.fields, ...changes });
}

/** Hosts compare case-insensitively and without a trailing dot (DNS names). */
export function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => h.trim().toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

/** Whether an `engine` value is one of the names, or starts with one of the prefixes, an engine accepts. */
export function acceptsEngineName(
  accepted: { readonly engineNames: readonly string[]; readonly engineNamePrefixes?: readonly string[] },
  value: string,
): boolean {
  return (
    accepted.engineNames.includes(value) ||
    (accepted.engineNamePrefixes ?? []).some(
      (prefix) => value.startsWith(prefix) && value.length > prefix.length,
    )
  );
}

/** Same host (as `sameHost`) and same port: two instances on one host are different databases. */
export function sameEndpoint(a: DatabaseSecret, b: DatabaseSecret): boolean {
  return sameHost(a.host, b.host) && a.port === b.port;
}
