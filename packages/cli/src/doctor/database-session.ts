import {
  type ConnectFailureKind,
  type DatabaseEngine,
  type DatabaseSecret,
  Deadline,
  describeError,
  type Redactor,
  type RotationConfig,
  tlsSettingsFor,
} from '@rotor/rotation-core';

export type SessionAttempt =
  | { readonly connection: unknown; readonly transport: 'TLS' | 'plaintext' }
  | { readonly kind: ConnectFailureKind; readonly detail: string; readonly transport: 'TLS' | 'plaintext' };

export interface SessionSettings {
  readonly engine: DatabaseEngine;
  readonly extraCa: readonly string[];
  readonly connectTimeoutMs: number;
  readonly plaintextFallback: RotationConfig['plaintextFallback'];
  readonly redactor: Redactor;
}

/**
 * Opens a session as the rotation function would, with the engine's own connect (verified TLS
 * through core's tlsSettingsFor, the Amazon RDS CAs and ROTOR_CA_BUNDLE). A failure is the
 * engine's classification and the driver's name, code and message, redacted.
 */
export async function openSession(
  settings: SessionSettings,
  secret: DatabaseSecret,
  transport: 'TLS' | 'plaintext',
): Promise<SessionAttempt> {
  const { engine } = settings;
  const dbname = secret.dbname ?? engine.defaultDbname;
  try {
    const connection = await engine.connect({
      host: secret.host,
      port: secret.port,
      username: secret.username,
      password: secret.password,
      ...(dbname ? { dbname } : {}),
      tls: transport === 'TLS' ? tlsSettingsFor(secret.host, settings.extraCa) : false,
      connectTimeoutMs: settings.connectTimeoutMs,
      deadline: Deadline.after(settings.connectTimeoutMs * 4),
      secret,
    });
    return { connection, transport };
  } catch (error) {
    const e = describeError(error, settings.redactor);
    return {
      kind: engine.classifyConnectError(error),
      detail: `${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`,
      transport,
    };
  }
}

/**
 * The secret's `ssl` policy, as core's DatabaseLogin applies it: `require` and `disable` do exactly
 * that; `prefer` tries TLS and retries in plaintext only when TLS itself failed and
 * ROTOR_TLS_FALLBACK allows it.
 */
export async function loginAsFunctionWould(
  settings: SessionSettings,
  secret: DatabaseSecret,
): Promise<SessionAttempt> {
  if (secret.ssl === 'disable') return openSession(settings, secret, 'plaintext');
  const first = await openSession(settings, secret, 'TLS');
  if ('connection' in first || secret.ssl === 'require' || first.kind !== 'tls') return first;
  if (settings.plaintextFallback === 'deny') return first;
  return openSession(settings, secret, 'plaintext');
}
