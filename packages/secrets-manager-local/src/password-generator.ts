import { randomInt } from 'node:crypto';
import { invalidParameter } from './errors';

export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

export interface PasswordOptions {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

/** GetRandomPassword: a password drawn with a CSPRNG from the classes left after the exclusions. */
export function generatePassword(options: PasswordOptions): string {
  const length = options.PasswordLength ?? 32;
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const classes = [
    options.ExcludeUppercase ? '' : keep(UPPERCASE),
    options.ExcludeLowercase ? '' : keep(LOWERCASE),
    options.ExcludeNumbers ? '' : keep(DIGITS),
    options.ExcludePunctuation ? '' : keep(PUNCTUATION),
  ].filter((c) => c.length > 0);
  // A space may appear but is never one of the required types.
  const space = options.IncludeSpace ? keep(' ') : '';
  const pool = classes.join('') + space;
  if (pool.length === 0)
    throw invalidParameter('Every character type is excluded; there is nothing to draw from.');

  const required = (options.RequireEachIncludedType ?? true) ? classes : [];
  if (required.length > length)
    throw invalidParameter('Password length is too short based on the required types.');

  const chars = required.map(pick);
  while (chars.length < length) chars.push(pick(pool));
  // Fisher–Yates, so the required characters are not always at the front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)]!;
}
