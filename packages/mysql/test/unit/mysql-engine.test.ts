import { createPublicKey, verify } from 'node:crypto';
import { loadRotationConfig } from '@rotor/rotation-core';
import { ed25519PublicKey, ed25519Sign } from '../../src/client-ed25519-plugin';
import { classifyMysqlError } from '../../src/mysql-connection';
import { mysqlEngine } from '../../src/mysql-engine';

const withCode = (code: string, extra: object = {}) =>
  Object.assign(new Error(`failure ${code}`), { code, ...extra });

describe('mysqlEngine settings', () => {
  it('has the AWS template defaults', () => {
    expect(mysqlEngine.engineNames).toEqual(['mysql', 'aurora-mysql', 'mariadb']);
    expect(mysqlEngine.defaultPort).toBe(3306);
    expect(mysqlEngine.defaultDbname).toBeUndefined();
    expect(mysqlEngine.defaultExcludeCharacters).toBe('/@"\'\\');
  });

  it('reads USERNAME_CHARACTER_LIMIT, default 16', () => {
    expect(mysqlEngine.maxUsernameLength({})).toBe(16);
    expect(mysqlEngine.maxUsernameLength({ USERNAME_CHARACTER_LIMIT: ' 32 ' })).toBe(32);
    expect(mysqlEngine.maxUsernameLength({ USERNAME_CHARACTER_LIMIT: '' })).toBe(16);
  });

  it.each(['abc', '0', '-4', '12.5', '1e3'])(
    'refuses USERNAME_CHARACTER_LIMIT=%j, naming the variable',
    (value) => {
      expect(() => mysqlEngine.maxUsernameLength({ USERNAME_CHARACTER_LIMIT: value })).toThrow(
        /USERNAME_CHARACTER_LIMIT/,
      );
      expect(() => loadRotationConfig(mysqlEngine, { USERNAME_CHARACTER_LIMIT: value })).toThrow(
        /USERNAME_CHARACTER_LIMIT/,
      );
    },
  );
});

describe('classifyMysqlError', () => {
  it.each([
    [withCode('ER_ACCESS_DENIED_ERROR', { errno: 1045, sqlState: '28000' }), 'authentication'],
    [withCode('ER_DBACCESS_DENIED_ERROR', { errno: 1044, sqlState: '42000' }), 'authentication'],
    [withCode('ER_HOST_NOT_PRIVILEGED', { errno: 1130, sqlState: 'HY000' }), 'authentication'],
    [withCode('ER_ACCOUNT_HAS_BEEN_LOCKED', { errno: 3118, sqlState: 'HY000' }), 'authentication'],
    [withCode('ER_SECURE_TRANSPORT_REQUIRED', { errno: 3159, sqlState: 'HY000' }), 'tls'],
    [
      Object.assign(
        new Error('Connections using insecure transport are prohibited while --require_secure_transport=ON.'),
        { code: 'ER_UNKNOWN_ERROR_4167', errno: 4167, sqlState: '08004' },
      ),
      'tls',
    ],
    [withCode('HANDSHAKE_NO_SSL_SUPPORT'), 'tls'],
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [withCode('ECONNREFUSED', { errno: -111 }), 'network'],
    [withCode('ETIMEDOUT'), 'network'],
    [withCode('ENOTFOUND'), 'network'],
    [withCode('EHOSTUNREACH'), 'network'],
    [withCode('ER_BAD_DB_ERROR', { errno: 1049, sqlState: '42000' }), 'other'],
    ['a string', 'other'],
  ])('%p is %s', (error, kind) => {
    expect(classifyMysqlError(error)).toBe(kind);
  });

  it('classifies errors from another realm (no instanceof Error) by their fields', () => {
    expect(classifyMysqlError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toBe('network');
  });
});

describe('client_ed25519', () => {
  it('derives the public key MariaDB stores for a password (captured from MariaDB 10.11)', () => {
    // SHOW GRANTS FOR a user made with IDENTIFIED VIA ed25519 USING PASSWORD('secret').
    expect(ed25519PublicKey('secret')).toBe('ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY');
  });

  it('signs the nonce so that a standard Ed25519 verifier accepts it under that key', () => {
    const nonce = Buffer.from('0123456789abcdef0123456789abcdef');
    const raw = Buffer.from(ed25519PublicKey('pässword with ünicode'), 'base64');
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    const signature = ed25519Sign('pässword with ünicode', nonce);
    expect(signature).toHaveLength(64);
    expect(verify(null, nonce, key, signature)).toBe(true);
    expect(verify(null, nonce, key, ed25519Sign('another password', nonce))).toBe(false);
  });
});
