import {
  type DatabaseEngine,
  DatabaseLogin,
  type DatabaseSecret,
  Deadline,
  Logger,
  type LoginAttempt,
  type Redactor,
  type RotationConfig,
} from '@rotor/rotation-core';

export interface SessionSettings {
  readonly engine: DatabaseEngine;
  /** The function's configuration (connect timeout, CAs, TLS fallback), as the function loads it. */
  readonly config: RotationConfig;
  readonly redactor: Redactor;
}

/**
 * Logs in exactly as the rotation function would: core's DatabaseLogin, with the secret's `ssl`
 * policy and ROTOR_TLS_FALLBACK. Its log lines are not the doctor's output, so they are dropped.
 */
export function loginAsFunctionWould(
  settings: SessionSettings,
  secret: DatabaseSecret,
  label: string,
): Promise<LoginAttempt<unknown>> {
  const { engine, config, redactor } = settings;
  const log = new Logger({ level: 'error', sink: () => {}, redactor });
  const deadline = Deadline.after(config.connectTimeoutMs * 4);
  return new DatabaseLogin(engine, config, log, redactor, {}, deadline).tryLogin(secret, label);
}

/** A login over verified TLS only, as a secret with `"ssl": true` would make it. */
export function tlsLogin(
  settings: SessionSettings,
  secret: DatabaseSecret,
  label: string,
): Promise<LoginAttempt<unknown>> {
  return loginAsFunctionWould(settings, { ...secret, ssl: 'require' }, label);
}
