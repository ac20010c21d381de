// The hashes MySQL and MariaDB store for a password, so that account statements carry the hash
// and never the password itself (statement text reaches the general log, the slow log and SHOW
// PROCESSLIST). Pure computation, no I/O.
import { createHash, randomInt } from 'node:crypto';
import { ed25519PublicKey } from './client-ed25519-plugin';
import { MysqlStatementError } from './errors';

/** mysql_native_password: `*` and the upper-case hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  const once = createHash('sha1').update(Buffer.from(password, 'utf8')).digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}

/** MariaDB ed25519: the public key of the password-derived key pair, base64 without padding. */
export function ed25519PasswordHash(password: string): string {
  return ed25519PublicKey(password);
}

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** `source` repeated and cut to `length` bytes. */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = source[i % source.length] as number;
  return out;
}

/**
 * The 43-character SHA-256-crypt digest (Drepper's "Unix crypt using SHA-256", as in glibc's
 * `$5$`), of `key` with `salt` and `rounds` rounds. The salt is used as given: glibc cuts it to 16
 * characters, MySQL's caching_sha2_password uses 20 bytes.
 */
export function sha256CryptDigest(key: Buffer, salt: Buffer, rounds: number): string {
  const b = sha256(key, salt, key);
  const aParts: Buffer[] = [key, salt];
  let cnt = key.length;
  for (; cnt > 32; cnt -= 32) aParts.push(b);
  aParts.push(b.subarray(0, cnt));
  for (let n = key.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : key);
  const a = sha256(...aParts);

  const p = stretch(sha256(...Array.from({ length: key.length }, () => key)), key.length);
  const s = stretch(sha256(...Array.from({ length: 16 + (a[0] as number) }, () => salt)), salt.length);

  let c = a;
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? p : c];
    if (i % 3) parts.push(s);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? c : p);
    c = sha256(...parts);
  }

  const at = (i: number): number => c[i] as number;
  let out = '';
  const encode = (b2: number, b1: number, b0: number, n: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let i = 0; i < n; i++) {
      out += CRYPT_ALPHABET[w & 0x3f];
      w >>= 6;
    }
  };
  for (let i = 0; i < 10; i++) {
    // The byte triples of the spec: (0,10,20), (21,1,11), (12,22,2), ... (9,19,29).
    const first = (i * 21) % 30;
    encode(at(first), at((first + 10) % 30), at((first + 20) % 30), 4);
  }
  encode(0, at(31), at(30), 3);
  return out;
}

/** caching_sha2_password stores 5000 rounds as `005` (the count in thousands). */
const CACHING_SHA2_ROUNDS = 5000;
const CACHING_SHA2_SALT_LENGTH = 20;

/**
 * MySQL caching_sha2_password: `$A$005$`, a 20-byte salt, and the SHA-256-crypt digest with 5000
 * rounds. The server accepts any salt bytes but `$` and NUL; this one is drawn from the crypt
 * alphabet, so the whole hash is printable.
 */
export function cachingSha2PasswordHash(password: string, salt?: string): string {
  const chosen =
    salt ??
    Array.from(
      { length: CACHING_SHA2_SALT_LENGTH },
      () => CRYPT_ALPHABET[randomInt(CRYPT_ALPHABET.length)],
    ).join('');
  if (chosen.length !== CACHING_SHA2_SALT_LENGTH || /[$\0]/.test(chosen) || /[^\x20-\x7e]/.test(chosen)) {
    throw new MysqlStatementError('a caching_sha2_password salt is 20 printable characters other than $');
  }
  const digest = sha256CryptDigest(
    Buffer.from(password, 'utf8'),
    Buffer.from(chosen, 'latin1'),
    CACHING_SHA2_ROUNDS,
  );
  return `$A$005$${chosen}${digest}`;
}

/**
 * The hash the server stores for `password` under `plugin`, or undefined when Rotor does not
 * compute that plugin's hash (MariaDB parsec, MySQL sha256_password): those keep sending the
 * password, hashed by the server.
 */
export function storedPasswordHash(
  family: 'mysql' | 'mariadb',
  plugin: string,
  password: string,
): string | undefined {
  if (plugin === 'mysql_native_password' || (family === 'mariadb' && plugin === '')) {
    return nativePasswordHash(password);
  }
  if (family === 'mariadb' && plugin === 'ed25519') return ed25519PasswordHash(password);
  if (family === 'mysql' && plugin === 'caching_sha2_password') return cachingSha2PasswordHash(password);
  return undefined;
}
