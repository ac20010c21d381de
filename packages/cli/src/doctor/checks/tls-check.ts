import type { DatabaseSecret } from '@rotor/rotation-core';
import { type SessionSettings, tlsLogin } from '../database-session';
import { type DoctorCheck, failed, passed, skipped } from '../doctor-check';

/** Whether verified TLS to the database works, and what the function does when it does not. */
export async function tlsCheck(session: SessionSettings, secret: DatabaseSecret): Promise<DoctorCheck> {
  if (secret.ssl === 'disable') {
    return skipped(
      'tls',
      'the secret has "ssl": false, so the function connects in plaintext; set "ssl": true once the server has TLS',
    );
  }
  const attempt = await tlsLogin(session, secret, 'AWSCURRENT');
  if ('connection' in attempt) {
    await session.engine.close(attempt.connection);
    return passed(
      'tls',
      `verified TLS to ${secret.host}:${secret.port}: the certificate is trusted and names the host`,
    );
  }
  // TLS is negotiated before authentication: a refused login means the handshake succeeded.
  if (attempt.failure.reason === 'authentication') {
    return passed(
      'tls',
      `verified TLS handshake with ${secret.host}:${secret.port} (the login is checked separately)`,
    );
  }
  const detail = attempt.failure.detail;
  if (attempt.failure.reason !== 'tls') {
    return failed(
      'tls',
      `could not reach the TLS handshake: ${detail}`,
      'see the port check; the database must accept connections from the rotation function',
    );
  }
  const fallback =
    secret.ssl === 'prefer'
      ? session.config.plaintextFallback === 'deny'
        ? ' The secret has no "ssl" key and ROTOR_TLS_FALLBACK=deny, so the rotation would fail.'
        : ' The secret has no "ssl" key, so the function would retry in plaintext with a warning.'
      : '';
  const noServerTls = /does not support (SSL|secure)|HANDSHAKE_NO_SSL_SUPPORT/i.test(detail);
  return failed(
    'tls',
    `TLS to ${secret.host}:${secret.port} failed: ${detail}.${fallback}`,
    noServerTls
      ? 'turn on TLS on the database server, or set "ssl": false in the secret to rotate in plaintext'
      : 'the server certificate must chain to a CA the function trusts (Node\'s roots, the Amazon RDS CAs, or a PEM file named by ROTOR_CA_BUNDLE) and name the secret\'s "host" (use the endpoint name, not an IP address)',
  );
}
