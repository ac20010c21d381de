import { CHARACTER_CLASSES, type EngineEnvironment } from '@rotor/rotation-core';

/** Redshift's clear-text password rules (CREATE USER / ALTER USER). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 64;
/** `' " \ / @` are refused by CREATE USER; ALTER USER also refuses space and `:`. */
export const FORBIDDEN_PASSWORD_CHARACTERS = '\'"\\/@ :';
const DEFAULT_PASSWORD_LENGTH = 32;

const REQUIRED: readonly { readonly chars: string; readonly what: string }[] = [
  { chars: CHARACTER_CLASSES.uppercase, what: 'an upper-case letter' },
  { chars: CHARACTER_CLASSES.lowercase, what: 'a lower-case letter' },
  { chars: CHARACTER_CLASSES.digit, what: 'a digit' },
];

/**
 * Why a password breaks Redshift's rules, as sentences (never quoting the password). Redshift does
 * not check a password sent as an md5 hash, so Rotor checks it before hashing.
 */
export function redshiftPasswordProblems(password: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    problems.push(
      `it is ${length} characters long; Redshift takes ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}`,
    );
  }
  for (const { chars, what } of REQUIRED) {
    if (![...password].some((c) => chars.includes(c))) problems.push(`it has no ${what}`);
  }
  if (
    [...password].some(
      (c) => c.charCodeAt(0) < 33 || c.charCodeAt(0) > 126 || FORBIDDEN_PASSWORD_CHARACTERS.includes(c),
    )
  ) {
    problems.push(
      `it holds a character Redshift refuses (outside ASCII 33-126, or one of ${FORBIDDEN_PASSWORD_CHARACTERS.replace(' ', '')} or space)`,
    );
  }
  return problems;
}

/**
 * Why the function's environment would produce passwords Redshift refuses, naming the variable.
 * The upper, lower and digit classes are required whatever EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE or
 * EXCLUDE_NUMBERS say (the engine declares them required); what the rotation core cannot enforce
 * by itself is checked here: the length range, and that an EXCLUDE_CHARACTERS that replaces the
 * default still excludes the characters Redshift refuses.
 */
export function redshiftSettingsProblems(env: EngineEnvironment): string[] {
  const problems: string[] = [];
  const rawLength = env.PASSWORD_LENGTH?.trim();
  if (rawLength !== undefined && rawLength !== '') {
    const length = /^\d+$/.test(rawLength) ? Number(rawLength) : Number.NaN;
    if (!(length >= MIN_PASSWORD_LENGTH && length <= MAX_PASSWORD_LENGTH)) {
      problems.push(
        `PASSWORD_LENGTH must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} for Redshift, not ${JSON.stringify(env.PASSWORD_LENGTH)} (default ${DEFAULT_PASSWORD_LENGTH})`,
      );
    }
  }
  const excluded = env.EXCLUDE_CHARACTERS;
  if (excluded !== undefined) {
    const missing = [...FORBIDDEN_PASSWORD_CHARACTERS].filter((c) => !excluded.includes(c));
    if (missing.length > 0) {
      problems.push(
        `EXCLUDE_CHARACTERS must include every character Redshift refuses in a password (${missing.map((c) => (c === ' ' ? 'space' : c)).join(' ')} missing); leave it unset for the default ${JSON.stringify(FORBIDDEN_PASSWORD_CHARACTERS)}`,
      );
    }
    for (const { chars, what } of REQUIRED) {
      if ([...chars].every((c) => excluded.includes(c))) {
        problems.push(`EXCLUDE_CHARACTERS excludes every character of a class Redshift requires (${what})`);
      }
    }
  }
  return problems;
}
