import type { EngineModule } from '@rotor/rotation-core';
import { documentDbEngine } from './documentdb-engine';

/** What the tooling knows about this package: its zip, bundle, and test adapter. */
export const documentdbModule: EngineModule = {
  name: 'documentdb',
  title: 'Amazon DocumentDB and MongoDB',
  packageName: '@rotor/documentdb',
  engine: documentDbEngine,
  // The driver loads these only when a connection asks for them (compression, Kerberos, AWS IAM
  // or GCP authentication, client-side encryption, SOCKS5 proxies); Rotor uses none.
  bundleOmits: {
    kerberos: 'Kerberos authentication',
    '@mongodb-js/zstd': 'zstd compression',
    snappy: 'snappy compression',
    '@aws-sdk/credential-providers': 'MONGODB-AWS authentication',
    'gcp-metadata': 'GCP authentication',
    'mongodb-client-encryption': 'client-side field level encryption',
    socks: 'SOCKS5 proxies',
    aws4: 'AWS request signing',
  },
  testing: { entryPoint: '@rotor/documentdb/testing', targets: ['mongodb'] },
};
