import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EngineModule } from '@rotor/rotation-core';
import {
  alternateUsername,
  type DatabaseEngine,
  type DatabaseSecret,
  type EngineEnvironment,
  loadRotationConfig,
  parseDatabaseSecret,
  Redactor,
  type RotationConfig,
  type StrategyName,
  sameHost,
} from '@rotor/rotation-core';
import { engineFor, engineValues } from '../engines/engine-registry';
import { ENGINES } from '../engines/engines';
import type { RecoverCommandOptions } from '../recover/recover-command-line';
import { stuckRotationCheck } from './checks/stuck-rotation-check';
import {
  loginAsFunctionWould,
  openSession,
  type SessionAttempt,
  type SessionSettings,
} from './database-session';
import { type DoctorCheck, type DoctorReport, failed, passed, skipped } from './doctor-check';
import { probePort, resolveHost } from './network-probe';

export interface DoctorOptions {
  readonly secretId: string;
  readonly client: SecretsManagerClient;
  /** The function's environment, as it would see it (PASSWORD_LENGTH, ROTOR_CA_BUNDLE, ...). */
  readonly env: EngineEnvironment;
  /** Default: alternating-users when the secret has `masterarn`, else single-user. */
  readonly strategy?: StrategyName;
  /** The engine value to use when the secret has no `engine` key. */
  readonly engineValue?: string;
  /** DNS and TCP probes. */
  readonly timeoutMs: number;
  readonly registry?: readonly EngineModule[];
  /** Carried into the `rotor recover` command suggested for a stuck rotation. */
  readonly recoverOptions?: RecoverCommandOptions;
}

const CLONE_SUFFIX = '_clone';
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/**
 * Preflight of a secret before rotation is turned on: every check the rotation would trip over,
 * each with a fix. Checks that cannot run because an earlier one failed are skipped, with why.
 * Every detail passes through a Redactor that knows the passwords read.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const registry = options.registry ?? ENGINES;
  const redactor = new Redactor();
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => {
    checks.push({
      ...check,
      detail: redactor.redact(check.detail),
      ...(check.fix ? { fix: redactor.redact(check.fix) } : {}),
    });
  };

  const read = await readRotatedSecret(options, registry, redactor);
  add(read.check);
  add(await stuckRotationCheck(options.client, options.secretId, options.recoverOptions ?? {}));
  const { engine, secret, strategy } = read;

  let config: RotationConfig | undefined;
  let configProblem: string | undefined;
  if (engine) {
    try {
      config = loadRotationConfig(engine, options.env);
    } catch (error) {
      configProblem = (error as Error).message;
    }
  }

  if (!secret || !engine || !strategy) {
    const why = 'needs a readable secret (see the secret check)';
    for (const name of ['dns', 'port', 'tls', 'login']) add(skipped(name, why));
    if (strategy !== 'single-user') {
      for (const name of ['superuser-secret', 'superuser-login', 'superuser-privileges'])
        add(skipped(name, why));
    }
    add(
      engine
        ? passwordPolicyCheck(engine, config, configProblem, undefined, undefined)
        : skipped('password-policy', 'needs to know the engine (see the secret check)'),
    );
    return { secretId: options.secretId, checks };
  }

  const session: SessionSettings = {
    engine,
    extraCa: config?.extraCa ?? [],
    connectTimeoutMs: config?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    plaintextFallback: config?.plaintextFallback ?? 'allow',
    redactor,
  };

  const dns = await resolveHost(secret.host, options.timeoutMs);
  add(
    dns.ok
      ? passed('dns', dns.detail)
      : failed(
          'dns',
          dns.detail,
          'check "host" in the secret; the rotation function resolves it from inside its VPC, so a private endpoint must resolve there (and a public one needs a NAT gateway or VPC DNS)',
        ),
  );
  const port = dns.ok ? await probePort(secret.host, secret.port, options.timeoutMs) : undefined;
  if (!port) add(skipped('port', 'needs the host to resolve'));
  else if (port.ok) add(passed('port', port.detail));
  else
    add(
      failed(
        'port',
        port.detail,
        port.code === 'ECONNREFUSED'
          ? `check "port" in the secret (default ${engine.defaultPort}) and that the database is running`
          : `the database's security group must allow inbound TCP ${secret.port} from the rotation function's security group, and the function's subnets need a route to it`,
      ),
    );
  const reachable = port?.ok === true;

  const tls = reachable ? await tlsCheck(session, secret) : skipped('tls', 'needs the port to answer');
  add(tls);

  if (!reachable) add(skipped('login', 'needs the port to answer'));
  else if (secret.ssl === 'require' && tls.status === 'failed')
    add(skipped('login', 'the secret requires TLS ("ssl": true), which failed above'));
  else add(await loginCheck('login', session, secret, 'the secret (AWSCURRENT)'));

  if (strategy === 'alternating-users') {
    const superuser = await readSuperuserSecret(options, engine, secret, redactor);
    add(superuser.check);
    if (!superuser.secret) {
      add(skipped('superuser-login', 'needs a usable superuser secret'));
      add(skipped('superuser-privileges', 'needs a usable superuser secret'));
    } else if (!reachable) {
      add(skipped('superuser-login', 'needs the port to answer'));
      add(skipped('superuser-privileges', 'needs the port to answer'));
    } else {
      const original = secret.username.endsWith(CLONE_SUFFIX)
        ? secret.username.slice(0, -CLONE_SUFFIX.length)
        : secret.username;
      const [login, privileges] = await superuserChecks(session, superuser.secret, original);
      add(login);
      add(privileges);
    }
  }

  add(passwordPolicyCheck(engine, config, configProblem, strategy, secret));
  return { secretId: options.secretId, checks };
}

interface RotatedSecret {
  readonly check: DoctorCheck;
  readonly engine?: DatabaseEngine;
  readonly secret?: DatabaseSecret;
  readonly strategy?: StrategyName;
}

async function readRotatedSecret(
  options: DoctorOptions,
  registry: readonly EngineModule[],
  redactor: Redactor,
): Promise<RotatedSecret> {
  const name = 'secret';
  let secretString: string | undefined;
  try {
    const out = await options.client.send(
      new GetSecretValueCommand({ SecretId: options.secretId, VersionStage: 'AWSCURRENT' }),
    );
    secretString = out.SecretString;
  } catch (error) {
    const e = error as Error;
    return {
      check: failed(
        name,
        `cannot read AWSCURRENT of ${options.secretId}: ${e.name}: ${e.message}`,
        e.name === 'ResourceNotFoundException'
          ? 'check the secret name or ARN, the region (--region) and the endpoint (--endpoint)'
          : 'check the AWS credentials and that they allow secretsmanager:GetSecretValue (and kms:Decrypt for a customer-managed key)',
      ),
    };
  }
  redactor.remember(secretString);

  // The `engine` key and `masterarn` decide which rules apply, so they are read before validating.
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(secretString ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      fields = parsed as Record<string, unknown>;
  } catch {
    // parseDatabaseSecret below says what is wrong.
  }
  if (typeof fields.password === 'string') redactor.remember(fields.password);
  const strategy: StrategyName =
    options.strategy ?? (typeof fields.masterarn === 'string' ? 'alternating-users' : 'single-user');
  const inferred =
    options.strategy !== undefined
      ? ''
      : strategy === 'single-user'
        ? ' (no masterarn)'
        : ' (from masterarn)';
  const engineValue = typeof fields.engine === 'string' ? fields.engine : options.engineValue;
  const engine = engineValue === undefined ? undefined : engineFor(engineValue, registry);
  if (engine === undefined) {
    const known = engineValues(registry).join(', ');
    return {
      strategy,
      check: failed(
        name,
        engineValue === undefined && Object.keys(fields).length > 0
          ? 'the secret has no "engine" key, so its database is unknown'
          : engineValue === undefined
            ? 'the secret is not a JSON object with database keys'
            : `engine ${JSON.stringify(engineValue)} is not one Rotor rotates (${known})`,
        engineValue === undefined && Object.keys(fields).length > 0
          ? `add "engine" to the secret (${known}) or pass --engine`
          : 'store the secret as JSON: {"engine", "host", "port", "username", "password", ...}',
      ),
    };
  }
  try {
    const secret = parseDatabaseSecret(
      secretString,
      {
        engineNames: engine.engineNames,
        defaultPort: engine.defaultPort,
        requireEngine: strategy === 'single-user',
        requireMasterArn: strategy === 'alternating-users',
      },
      'AWSCURRENT',
      { secretId: options.secretId },
    );
    const ssl = {
      require: 'TLS required',
      disable: 'plaintext ("ssl": false)',
      prefer: 'TLS preferred (no "ssl" key)',
    };
    return {
      engine,
      secret,
      strategy,
      check: passed(
        name,
        `${engineValue} secret for user ${JSON.stringify(secret.username)} at ${secret.host}:${secret.port}${secret.dbname ? `/${secret.dbname}` : ''}, ${ssl[secret.ssl]}; strategy ${strategy}${inferred}`,
      ),
    };
  } catch (error) {
    return {
      engine,
      strategy,
      check: failed(
        name,
        (error as Error).message,
        `fix the secret's JSON (aws secretsmanager put-secret-value): it needs host, username, password${strategy === 'single-user' ? ', engine' : ', masterarn'}; optional port, dbname, ssl`,
      ),
    };
  }
}

async function tlsCheck(session: SessionSettings, secret: DatabaseSecret): Promise<DoctorCheck> {
  if (secret.ssl === 'disable') {
    return skipped(
      'tls',
      'the secret has "ssl": false, so the function connects in plaintext; set "ssl": true once the server has TLS',
    );
  }
  const attempt = await openSession(session, secret, 'TLS');
  if ('connection' in attempt) {
    await session.engine.close(attempt.connection);
    return passed(
      'tls',
      `verified TLS to ${secret.host}:${secret.port}: the certificate is trusted and names the host`,
    );
  }
  // TLS is negotiated before authentication: a refused login means the handshake succeeded.
  if (attempt.kind === 'authentication') {
    return passed(
      'tls',
      `verified TLS handshake with ${secret.host}:${secret.port} (the login is checked separately)`,
    );
  }
  if (attempt.kind !== 'tls') {
    return failed(
      'tls',
      `could not reach the TLS handshake: ${attempt.detail}`,
      'see the port check; the database must accept connections from the rotation function',
    );
  }
  const fallback =
    secret.ssl === 'prefer'
      ? session.plaintextFallback === 'deny'
        ? ' The secret has no "ssl" key and ROTOR_TLS_FALLBACK=deny, so the rotation would fail.'
        : ' The secret has no "ssl" key, so the function would retry in plaintext with a warning.'
      : '';
  const noServerTls = /does not support (SSL|secure)|HANDSHAKE_NO_SSL_SUPPORT/i.test(attempt.detail);
  return failed(
    'tls',
    `TLS to ${secret.host}:${secret.port} failed: ${attempt.detail}.${fallback}`,
    noServerTls
      ? 'turn on TLS on the database server, or set "ssl": false in the secret to rotate in plaintext'
      : 'the server certificate must chain to a CA the function trusts (Node\'s roots, the Amazon RDS CAs, or a PEM file named by ROTOR_CA_BUNDLE) and name the secret\'s "host" (use the endpoint name, not an IP address)',
  );
}

async function loginCheck(
  name: string,
  session: SessionSettings,
  secret: DatabaseSecret,
  what: string,
): Promise<DoctorCheck> {
  const attempt = await loginAsFunctionWould(session, secret);
  if ('connection' in attempt) {
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
  return failed(
    name,
    `${what} does not log in as ${JSON.stringify(secret.username)} over ${attempt.transport}: ${attempt.kind} failure: ${attempt.detail}`,
    loginFix(attempt),
  );
}

function loginFix(attempt: Exclude<SessionAttempt, { connection: unknown }>): string {
  switch (attempt.kind) {
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

async function readSuperuserSecret(
  options: DoctorOptions,
  engine: DatabaseEngine,
  current: DatabaseSecret,
  redactor: Redactor,
): Promise<{ check: DoctorCheck; secret?: DatabaseSecret }> {
  const name = 'superuser-secret';
  const arn = current.masterarn as string;
  let secretString: string | undefined;
  try {
    const out = await options.client.send(
      new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }),
    );
    secretString = out.SecretString;
  } catch (error) {
    const e = error as Error;
    return {
      check: failed(
        name,
        `cannot read the superuser secret ${arn} (masterarn): ${e.name}: ${e.message}`,
        'set "masterarn" to the ARN of the superuser secret; the function\'s role needs secretsmanager:GetSecretValue on it',
      ),
    };
  }
  redactor.remember(secretString);
  try {
    const superuser = parseDatabaseSecret(
      secretString,
      {
        engineNames: engine.engineNames,
        defaultPort: engine.defaultPort,
        requireEngine: false,
        requireMasterArn: false,
        hostOptional: true,
      },
      `superuser secret ${arn}`,
      {},
    );
    redactor.remember(superuser.password);
    if (superuser.host === '') {
      return {
        check: failed(
          name,
          `the superuser secret ${arn} has no "host" key`,
          'add "host" (and "port") to the superuser secret',
        ),
      };
    }
    if (!sameHost(superuser.host, current.host)) {
      return {
        check: failed(
          name,
          `the superuser secret is for host ${superuser.host}, the rotated secret for ${current.host}`,
          'point "masterarn" at the superuser secret of the same database; the function refuses a superuser of another host',
        ),
      };
    }
    return {
      secret: superuser,
      check: passed(name, `superuser ${JSON.stringify(superuser.username)} for the same host, from ${arn}`),
    };
  } catch (error) {
    return {
      check: failed(
        name,
        (error as Error).message,
        "fix the superuser secret's JSON: it needs host, username and password",
      ),
    };
  }
}

async function superuserChecks(
  session: SessionSettings,
  superuser: DatabaseSecret,
  original: string,
): Promise<[DoctorCheck, DoctorCheck]> {
  const attempt = await loginAsFunctionWould(session, superuser);
  if (!('connection' in attempt)) {
    return [
      failed(
        'superuser-login',
        `the superuser secret does not log in as ${JSON.stringify(superuser.username)} over ${attempt.transport}: ${attempt.kind} failure: ${attempt.detail}`,
        loginFix(attempt),
      ),
      skipped('superuser-privileges', 'needs the superuser to log in'),
    ];
  }
  const login = passed(
    'superuser-login',
    `the superuser logs in as ${JSON.stringify(superuser.username)} over ${attempt.transport}`,
  );
  try {
    const { engine } = session;
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
    await session.engine.close(attempt.connection);
  }
}

function passwordPolicyCheck(
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
  if (strategy === 'alternating-users' && secret) {
    const original = secret.username.endsWith(CLONE_SUFFIX)
      ? secret.username.slice(0, -CLONE_SUFFIX.length)
      : secret.username;
    const clone = secret.username.endsWith(CLONE_SUFFIX) ? secret.username : alternateUsername(original);
    if ([...clone].length > config.maxUsernameLength) {
      return failed(
        name,
        `the alternate user ${JSON.stringify(clone)} is ${[...clone].length} characters long; ${engine.family} allows ${config.maxUsernameLength}`,
        `shorten the username to ${config.maxUsernameLength - CLONE_SUFFIX.length} characters${engine.family === 'mysql' ? ' or raise USERNAME_CHARACTER_LIMIT (32 on MySQL 5.7.8+, 80 on MariaDB)' : ''}`,
      );
    }
  }
  return passed(name, `${summary}; usernames up to ${config.maxUsernameLength} characters`);
}
