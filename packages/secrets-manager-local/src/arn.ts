import { randomInt } from 'node:crypto';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Valid secret names: 1–512 of ASCII letters, digits and `/_+=.@-` (G2). */
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export const INVALID_NAME_MESSAGE =
  'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!';

export function isValidSecretName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** The ARN prefix shared by every secret of one account and region, up to and including `secret:`. */
export function secretArnPrefix(region: string, accountId: string): string {
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:`;
}

/** A new ARN for `name`; the random suffix makes a re-created name a different resource (G1). */
export function newSecretArn(region: string, accountId: string, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${secretArnPrefix(region, accountId)}${name}-${suffix}`;
}

/**
 * AWS treats an ARN whose resource part ends in a hyphen plus six characters as complete, so it
 * never resolves such an ARN as a partial one (G3c) — the known trap for names like `my-secret`.
 */
export function looksLikeCompleteArn(arn: string): boolean {
  return /-[^:/]{6}$/.test(arn);
}

export function lambdaFunctionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/** The function name of a Lambda ARN, or the input itself when it is not an ARN. */
export function lambdaFunctionName(arn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn);
  return match?.[1] ?? arn;
}
