// The client side of MariaDB's `ed25519` authentication plugin (server plugin `auth_ed25519`,
// client plugin `client_ed25519`), which mysql2 does not ship.
//
// MariaDB signs the server's 32-byte nonce with Ed25519, but derives the key from the password as
// SHA-512(password) instead of SHA-512(32-byte seed). node:crypto only accepts a seed, so the
// signature is computed here with BigInt arithmetic on the Edwards curve (RFC 8032 section 5.1).
// It is not constant-time; the only secret is the password-derived scalar, used twice per login
// inside the function's own process.
import { createHash } from 'node:crypto';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const D = mod(-121665n * inverse(121666n));
const BASE: Point = {
  x: 15112221349535400772501151409588531511454012693041857206046113283949847762202n,
  y: 46316835694926478169428394003475163141307993866256225615783033603165251855960n,
  z: 1n,
  t: mod(
    15112221349535400772501151409588531511454012693041857206046113283949847762202n *
      46316835694926478169428394003475163141307993866256225615783033603165251855960n,
  ),
};

/** A point in extended twisted Edwards coordinates (x = X/Z, y = Y/Z, xy = T/Z). */
interface Point {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
  readonly t: bigint;
}

function mod(a: bigint, m = P): bigint {
  const r = a % m;
  return r >= 0n ? r : r + m;
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = mod(result * b);
    b = mod(b * b);
  }
  return result;
}

function inverse(a: bigint): bigint {
  return power(a, P - 2n);
}

// The unified addition formula for a = -1 (also correct for doubling).
function add(p: Point, q: Point): Point {
  const a = mod((p.y - p.x) * (q.y - q.x));
  const b = mod((p.y + p.x) * (q.y + q.x));
  const c = mod(2n * D * p.t * q.t);
  const d = mod(2n * p.z * q.z);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return { x: mod(e * f), y: mod(g * h), z: mod(f * g), t: mod(e * h) };
}

function multiplyBase(scalar: bigint): Point {
  let result: Point = { x: 0n, y: 1n, z: 1n, t: 0n };
  let addend = BASE;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

function encodePoint(p: Point): Buffer {
  const zInverse = inverse(p.z);
  const x = mod(p.x * zInverse);
  const y = mod(p.y * zInverse);
  const bytes = littleEndian(y, 32);
  bytes[31] = (bytes[31] as number) | (Number(x & 1n) << 7);
  return bytes;
}

function littleEndian(value: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  let v = value;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

const sha512 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

function secretScalar(password: string): { scalar: bigint; prefix: Buffer } {
  const az = sha512(Buffer.from(password, 'utf8'));
  const a = Buffer.from(az.subarray(0, 32));
  a[0] = (a[0] as number) & 248;
  a[31] = ((a[31] as number) & 63) | 64;
  return { scalar: fromLittleEndian(a), prefix: az.subarray(32, 64) };
}

/** The public key MariaDB stores for `password` (mysql.global_priv `authentication_string`, base64 without padding). */
export function ed25519PublicKey(password: string): string {
  return encodePoint(multiplyBase(secretScalar(password).scalar))
    .toString('base64')
    .replace(/=+$/, '');
}

/** The 64-byte signature of `message` that MariaDB's auth_ed25519 checks. */
export function ed25519Sign(password: string, message: Uint8Array): Buffer {
  const { scalar, prefix } = secretScalar(password);
  const publicKey = encodePoint(multiplyBase(scalar));
  const r = mod(fromLittleEndian(sha512(prefix, message)), L);
  const rEncoded = encodePoint(multiplyBase(r));
  const k = mod(fromLittleEndian(sha512(rEncoded, publicKey, message)), L);
  const s = mod(r + k * scalar, L);
  return Buffer.concat([rEncoded, littleEndian(s, 32)]);
}

/**
 * mysql2 auth plugin factory for `client_ed25519`: answers the server's nonce with the signature.
 * The password is read from the connection's own config, as mysql2's built-in plugins do.
 */
export function clientEd25519Plugin() {
  return ({ connection }: { connection: { config: { password?: string } } }) =>
    (nonce: Buffer): Buffer =>
      ed25519Sign(connection.config.password ?? '', nonce.subarray(0, 32));
}
