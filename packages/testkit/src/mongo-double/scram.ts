import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

import saslprep = require('@mongodb-js/saslprep');

// The server side of SCRAM (RFC 5802, RFC 7677) as MongoDB runs it. Only keys are stored, as a
// real server does; a login is accepted only when the client's proof verifies against the stored
// key, and the reply carries the server signature the driver checks in turn.

export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-1', 'SCRAM-SHA-256'];

export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterationCount: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

// MongoDB's defaults (scramIterationCount, scramSHA256IterationCount).
const ITERATIONS: Record<ScramMechanism, number> = { 'SCRAM-SHA-1': 10_000, 'SCRAM-SHA-256': 15_000 };
const HASH = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256' } as const;

/**
 * The SCRAM password MongoDB feeds to PBKDF2: for SHA-1 the legacy digest md5("user:mongo:pw")
 * computed by the client; for SHA-256 the SASLprep'd password itself.
 */
export function scramPassword(mechanism: ScramMechanism, username: string, password: string): string {
  if (mechanism === 'SCRAM-SHA-1') {
    return createHash('md5').update(`${username}:mongo:${password}`, 'utf8').digest('hex');
  }
  return saslprep(password);
}

export function deriveCredential(
  mechanism: ScramMechanism,
  username: string,
  password: string,
): ScramCredential {
  const hash = HASH[mechanism];
  const salt = randomBytes(mechanism === 'SCRAM-SHA-1' ? 16 : 28);
  const iterationCount = ITERATIONS[mechanism];
  const salted = pbkdf2Sync(
    scramPassword(mechanism, username, password),
    salt,
    iterationCount,
    hash === 'sha1' ? 20 : 32,
    hash,
  );
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    salt,
    iterationCount,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

/** One login in progress, between saslStart and the final saslContinue. */
export class ScramConversation {
  private serverFirst = '';
  private clientFirstBare = '';
  private nonce = '';
  /** Set by saslStart: the user name as the client sent it (escapes undone). */
  username = '';
  finished = false;

  constructor(
    readonly mechanism: ScramMechanism,
    /** Undefined when the user does not exist or has no key for this mechanism: the proof then fails. */
    private readonly lookup: (username: string) => ScramCredential | undefined,
  ) {}

  private credential: ScramCredential | undefined;

  /** client-first-message → server-first-message. Throws ScramError on a malformed message. */
  start(payload: string): string {
    const match = /^n,(?:a=[^,]*)?,(n=([^,]*),r=([^,]+)(?:,.*)?)$/.exec(payload);
    if (!match) throw new ScramError('malformed client-first message (channel binding is not supported)');
    this.clientFirstBare = match[1] as string;
    this.username = (match[2] as string).replace(/=2C/g, ',').replace(/=3D/g, '=');
    this.credential = this.lookup(this.username);
    // An unknown user gets a made-up salt, so a failed login looks the same either way.
    const salt = this.credential?.salt ?? randomBytes(16);
    const iterations = this.credential?.iterationCount ?? ITERATIONS[this.mechanism];
    this.nonce = `${match[3]}${randomBytes(18).toString('base64')}`;
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message (`v=` signature), or undefined when the proof is wrong. */
  finish(payload: string): string | undefined {
    const match = /^(c=([^,]*),r=([^,]*)),p=([A-Za-z0-9+/=]+)$/.exec(payload);
    if (!match) throw new ScramError('malformed client-final message');
    const [, withoutProof, binding, nonce, proofText] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (binding !== 'biws' || nonce !== this.nonce) throw new ScramError('nonce or channel binding mismatch');
    this.finished = true;
    const credential = this.credential;
    if (credential === undefined) return undefined;
    const hash = HASH[this.mechanism];
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(hash, credential.storedKey, authMessage);
    const proof = Buffer.from(proofText, 'base64');
    if (proof.length !== signature.length) return undefined;
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] as number)));
    const candidate = createHash(hash).update(clientKey).digest();
    if (!timingSafeEqual(candidate, credential.storedKey)) return undefined;
    return `v=${hmac(hash, credential.serverKey, authMessage).toString('base64')}`;
  }
}

export class ScramError extends Error {
  override name = 'ScramError';
}

function hmac(hash: 'sha1' | 'sha256', key: Buffer, text: string): Buffer {
  return createHmac(hash, key).update(text, 'utf8').digest();
}
