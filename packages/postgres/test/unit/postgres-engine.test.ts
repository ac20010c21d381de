import { postgresEngine } from '../../src/postgres-engine';

/** Builds an error shaped like the ones pg and Node produce (see the comments for where each comes from). */
function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('postgresEngine settings', () => {
  it('has the AWS template defaults for PostgreSQL', () => {
    expect(postgresEngine.family).toBe('postgres');
    expect(postgresEngine.engineNames).toEqual(['postgres', 'aurora-postgresql']);
    expect(postgresEngine.defaultPort).toBe(5432);
    expect(postgresEngine.defaultDbname).toBe('postgres');
    expect(postgresEngine.defaultExcludeCharacters).toBe(':/@"\'\\');
    expect(postgresEngine.maxUsernameLength({})).toBe(63);
  });
});

describe('classifyConnectError', () => {
  it.each([
    // server ErrorResponse, SQLSTATE in `code`
    [failure('password authentication failed for user "app"', '28P01'), 'authentication'],
    [
      failure(
        'no pg_hba.conf entry for host "10.0.0.1", user "app", database "postgres", no encryption',
        '28000',
      ),
      'authentication',
    ],
    [failure('database "nodb" does not exist', '3D000'), 'other'],
    [failure('too many connections for role "app"', '53300'), 'other'],
    // pg, when the server answers N to SSLRequest or something else than S/N
    [failure('The server does not support SSL connections'), 'tls'],
    [failure('There was an error establishing an SSL connection'), 'tls'],
    // Node TLS verification
    [failure('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [failure('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), 'tls'],
    [failure('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [failure("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [failure('certificate has expired', 'CERT_HAS_EXPIRED'), 'tls'],
    [failure('write EPROTO ... wrong version number', 'EPROTO'), 'tls'],
    [failure('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'), 'tls'],
    // sockets and DNS
    [failure('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'network'],
    [failure('getaddrinfo ENOTFOUND db.invalid', 'ENOTFOUND'), 'network'],
    [failure('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT'), 'network'],
    [failure('connect EHOSTUNREACH 10.0.0.1:5432', 'EHOSTUNREACH'), 'network'],
    [failure('read ECONNRESET', 'ECONNRESET'), 'network'],
    // pg's connectionTimeoutMillis (8.x) and an older wording, and a server that hangs up
    [failure('timeout expired'), 'network'],
    [failure('Connection terminated due to connection timeout'), 'network'],
    [failure('Connection terminated unexpectedly'), 'network'],
    // anything else
    [failure('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature does not match'), 'other'],
    [new Error('boom'), 'other'],
    ['a string', 'other'],
    [undefined, 'other'],
    [{ code: 42 }, 'other'],
  ] as const)('%p is %s', (error, kind) => {
    expect(postgresEngine.classifyConnectError(error)).toBe(kind);
  });
});
