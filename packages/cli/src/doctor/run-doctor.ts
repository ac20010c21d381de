import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type EngineEnvironment,
  type EngineModule,
  loadRotationConfig,
  Redactor,
  type RotationConfig,
  type StrategyName,
} from '@rotor/rotation-core';
import { ENGINES } from '../engines/engines';
import type { RecoverCommandOptions } from '../recover/recover-command-line';
import { loginCheck } from './checks/login-check';
import { networkChecks } from './checks/network-checks';
import { passwordPolicyCheck } from './checks/password-policy-check';
import { readRotatedSecret } from './checks/secret-check';
import { stuckRotationCheck } from './checks/stuck-rotation-check';
import { superuserChecks } from './checks/superuser-checks';
import { superuserSecretCheck } from './checks/superuser-secret-check';
import { tlsCheck } from './checks/tls-check';
import type { SessionSettings } from './database-session';
import { type DoctorCheck, type DoctorReport, skipped } from './doctor-check';

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
        ? passwordPolicyCheck(engine, config, configProblem, strategy, undefined)
        : skipped('password-policy', 'needs to know the engine (see the secret check)'),
    );
    return { secretId: options.secretId, checks };
  }

  // An invalid environment is the password-policy check's finding; the connection checks still
  // run, with the defaults, so one bad variable does not hide every other problem.
  const session: SessionSettings = {
    engine,
    config: config ?? loadRotationConfig(engine, {}),
    redactor,
  };

  const network = await networkChecks(engine, secret, options.timeoutMs);
  add(network.dns);
  add(network.port);
  const { reachable } = network;

  const tls = reachable ? await tlsCheck(session, secret) : skipped('tls', 'needs the port to answer');
  add(tls);

  if (!reachable) add(skipped('login', 'needs the port to answer'));
  else if (secret.ssl === 'require' && tls.status === 'failed')
    add(skipped('login', 'the secret requires TLS ("ssl": true), which failed above'));
  else add(await loginCheck(session, secret));

  if (strategy === 'alternating-users') {
    const superuser = await superuserSecretCheck({ ...options, engine, current: secret, redactor });
    add(superuser.check);
    if (!superuser.secret) {
      add(skipped('superuser-login', 'needs a usable superuser secret'));
      add(skipped('superuser-privileges', 'needs a usable superuser secret'));
    } else if (!reachable) {
      add(skipped('superuser-login', 'needs the port to answer'));
      add(skipped('superuser-privileges', 'needs the port to answer'));
    } else {
      for (const check of await superuserChecks(session, superuser.secret, secret.username)) add(check);
    }
  }

  add(passwordPolicyCheck(engine, config, configProblem, strategy, secret));
  return { secretId: options.secretId, checks };
}
