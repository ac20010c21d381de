import type { RotationConfig } from './config';
import type { Deadline } from './deadline';
import type { ConnectionSettings, DatabaseEngine } from './engine';
import { LoginFailedError, type RotationErrorContext } from './errors';
import type { Logger } from './logger';
import { describeError, type Redactor } from './redactor';
import type { DatabaseSecret, SslMode } from './secret-value';
import { tlsSettingsFor } from './tls';

/** How a session was carried: verified TLS, or plaintext (by the secret's choice or a fallback). */
export type Transport = 'TLS' | 'plaintext';

export type LoginAttempt<C> =
  | { readonly connection: C; readonly transport: Transport }
  | { readonly failure: LoginFailedError; readonly transport: Transport };

/**
 * Opens database sessions with the `ssl` policy applied: `require` and `disable` do exactly that;
 * `prefer` tries verified TLS and, only when TLS itself failed, retries in plaintext with a
 * warning, unless ROTOR_TLS_FALLBACK=deny. The driver's own error is kept in the message
 * (redacted), so the real cause of a failed login is visible in the function's error. An
 * instance lives for one step (or one CLI command): a server whose TLS failed is not tried over
 * TLS again by it (alternating users log in twice), since the answer will not have changed.
 */
export class DatabaseLogin<C> {
  /** `host:port` where TLS failed and `prefer` fell back to plaintext during this step. */
  private readonly withoutTls = new Set<string>();

  constructor(
    private readonly engine: DatabaseEngine<C>,
    private readonly config: RotationConfig,
    private readonly log: Logger,
    private readonly redactor: Redactor,
    private readonly context: RotationErrorContext,
    private readonly deadline: Deadline,
  ) {}

  /** `label` names the credentials in logs and errors (AWSCURRENT, superuser, ...). */
  async tryLogin(
    secret: DatabaseSecret,
    label: string,
    sslFrom: DatabaseSecret = secret,
  ): Promise<LoginAttempt<C>> {
    const mode: SslMode = sslFrom.ssl;
    const base: Omit<ConnectionSettings, 'tls'> = {
      host: secret.host,
      port: secret.port,
      username: secret.username,
      password: secret.password,
      ...((secret.dbname ?? this.engine.defaultDbname)
        ? { dbname: secret.dbname ?? this.engine.defaultDbname }
        : {}),
      connectTimeoutMs: this.config.connectTimeoutMs,
      deadline: this.deadline,
      secret,
    };
    const fields = { credentials: label, username: secret.username, host: secret.host, port: secret.port };
    if (mode === 'disable') return this.attempt({ ...base, tls: false }, label, fields, 'plaintext');
    const server = `${secret.host}:${secret.port}`;
    if (mode === 'prefer' && this.withoutTls.has(server)) {
      this.log.warn('TLS failed on this server earlier in the step; logging in without TLS again', fields);
      return this.attempt({ ...base, tls: false }, label, fields, 'plaintext');
    }

    const first = await this.attempt(
      { ...base, tls: tlsSettingsFor(secret.host, this.config.extraCa) },
      label,
      fields,
      'TLS',
    );
    if ('connection' in first || mode === 'require' || first.failure.reason !== 'tls') return first;

    if (this.config.plaintextFallback === 'deny') {
      return {
        transport: first.transport,
        failure: new LoginFailedError(
          `${first.failure.detail}; the secret has no "ssl" key and ROTOR_TLS_FALLBACK=deny forbids a plaintext retry (set "ssl": true once the server has TLS, or "ssl": false to allow plaintext)`,
          'tls',
          this.context,
          { cause: first.failure },
        ),
      };
    }
    this.log.warn(
      'TLS failed; retrying without TLS because the secret has no "ssl" key (set "ssl": true to forbid this, or ROTOR_TLS_FALLBACK=deny for every secret)',
      {
        ...fields,
        error: describeError(first.failure.cause, this.redactor),
      },
    );
    this.withoutTls.add(server);
    return this.attempt({ ...base, tls: false }, label, fields, 'plaintext');
  }

  async login(secret: DatabaseSecret, label: string, sslFrom?: DatabaseSecret): Promise<C> {
    const attempt = await this.tryLogin(secret, label, sslFrom);
    if ('failure' in attempt) throw attempt.failure;
    return attempt.connection;
  }

  async close(connection: C): Promise<void> {
    await this.engine.close(connection);
  }

  private async attempt(
    settings: ConnectionSettings,
    label: string,
    fields: Record<string, unknown>,
    transport: Transport,
  ): Promise<LoginAttempt<C>> {
    try {
      const connection = await this.engine.connect(settings);
      this.log.info('logged in', { ...fields, transport });
      return { connection, transport };
    } catch (error) {
      const reason = this.engine.classifyConnectError(error);
      const driver = describeError(error, this.redactor);
      this.log.info('login failed', { ...fields, transport, reason, error: driver });
      const detail = `${driver.name}${driver.code ? ` ${driver.code}` : ''}: ${driver.message}`;
      return {
        transport,
        failure: new LoginFailedError(
          `${loginFailureHead(reason, label, transport, `${settings.host}:${settings.port}`)} (${reason} failure: ${detail})`,
          reason,
          { ...this.context, username: settings.username },
          { cause: error },
        ),
      };
    }
  }
}

/**
 * Says which kind of failure it was before naming the credentials, so an unreachable server or a
 * failed TLS handshake does not read as a wrong password: only `authentication` is about them.
 */
function loginFailureHead(
  reason: LoginFailedError['reason'],
  label: string,
  transport: Transport,
  endpoint: string,
): string {
  switch (reason) {
    case 'network':
      return `cannot reach ${endpoint} to log in with the ${label} credentials (over ${transport}); the credentials were not checked`;
    case 'tls':
      return `TLS to ${endpoint} failed before the ${label} credentials could be checked`;
    case 'authentication':
      return `unable to log in with the ${label} credentials over ${transport} to ${endpoint}: the server refused them`;
    default:
      return `unable to log in with the ${label} credentials over ${transport} to ${endpoint}`;
  }
}
