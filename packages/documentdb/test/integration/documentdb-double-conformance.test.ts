import {
  createTestCertificates,
  defineEngineConformanceTests,
  MongoProtocolDouble,
  opensslAvailable,
} from '@rotor/testkit';
import { createDocumentDbTestAdapter, type DocumentDbTestAdapter } from '../../src/testing';
import { documentDbManagedSuperuser } from './managed-superuser-options';

// The shared suite through the Secrets Manager emulator against the testkit's MongoDB PROTOCOL
// DOUBLE (no MongoDB or DocumentDB server can run here), in its DocumentDB flavour, over verified
// TLS: the double's certificate is signed by a test CA that the handlers trust only through
// ROTOR_CA_BUNDLE, and the secrets say "ssl": true. The managed-superuser cases resolve the
// double as DocumentDB cluster (engine docdb) through the emulator's RDS API; 127.0.0.2, the
// read replica's stand-in, is in the certificate too.
const tls = opensslAvailable();
if (!tls)
  process.stdout.write(
    'SKIP documentdb protocol double conformance: no openssl command for test certificates\n',
  );

(tls ? describe : describe.skip)(
  'documentdb engine conformance against the MongoDB protocol double (TLS)',
  () => {
    let double: MongoProtocolDouble | undefined;
    let adapter: DocumentDbTestAdapter | undefined;
    const certs = tls ? createTestCertificates(['DNS:localhost', 'IP:127.0.0.1', 'IP:127.0.0.2']) : undefined;

    defineEngineConformanceTests(
      async () => {
        if (!certs) throw new Error('no certificates');
        double = await MongoProtocolDouble.start({
          flavour: 'documentdb',
          tls: { cert: certs.cert, key: certs.key },
          rootUser: { username: 'rotor_root', password: `Root-${Date.now()}-pw` },
        });
        adapter = await createDocumentDbTestAdapter({
          label: 'mongodb-protocol-double',
          host: 'localhost',
          port: double.port,
          superuser: double.options.rootUser,
          tls: { ca: certs.ca, caPath: certs.caPath },
        });
        return adapter;
      },
      { managedSuperuser: documentDbManagedSuperuser('against the MongoDB protocol double') },
    );

    afterAll(async () => {
      await adapter?.cleanup();
      await double?.stop();
      certs?.remove();
    });
  },
);
