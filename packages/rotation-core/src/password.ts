import { randomInt } from 'node:crypto';
import type { PasswordClass } from './engine';

/** The same character classes as Secrets Manager's GetRandomPassword. */
export const CHARACTER_CLASSES: Readonly<Record<PasswordClass, string>> = {
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  digit: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

export interface PasswordPolicy {
  readonly length: number;
  readonly excludeCharacters: string;
  readonly excludedClasses: readonly PasswordClass[];
  /** At least one character of each class that is not excluded. */
  readonly requireEachIncludedType: boolean;
  /** Classes required whatever the settings say (Redshift: upper, lower, digit). */
  readonly alwaysRequired: readonly PasswordClass[];
}

/** Effective alphabet per class after exclusions; empty classes dropped. */
export function passwordAlphabets(policy: PasswordPolicy): Map<PasswordClass, string> {
  const out = new Map<PasswordClass, string>();
  for (const cls of Object.keys(CHARACTER_CLASSES) as PasswordClass[]) {
    if (policy.excludedClasses.includes(cls) && !policy.alwaysRequired.includes(cls)) continue;
    const chars = [...CHARACTER_CLASSES[cls]].filter((c) => !policy.excludeCharacters.includes(c)).join('');
    if (chars.length > 0) out.set(cls, chars);
  }
  return out;
}

/**
 * Shortest PASSWORD_LENGTH accepted. Below it a password is guessable online, and it could not
 * be masked safely in logs (a short value also occurs inside ordinary words); 8 is the floor most
 * database password policies and AWS's own console suggest.
 */
export const MIN_PASSWORD_LENGTH = 8;

/** Problems with a policy, as sentences (empty when the policy can produce passwords). */
export function passwordPolicyProblems(policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  if (policy.length < MIN_PASSWORD_LENGTH) {
    problems.push(`PASSWORD_LENGTH ${policy.length} is below the minimum of ${MIN_PASSWORD_LENGTH}`);
  }
  const alphabets = passwordAlphabets(policy);
  if (alphabets.size === 0) problems.push('every character is excluded');
  for (const cls of policy.alwaysRequired) {
    if (!alphabets.has(cls)) problems.push(`the engine requires ${cls} characters but all are excluded`);
  }
  const required = requiredClasses(policy, alphabets).length;
  if (policy.length < required) {
    problems.push(
      `PASSWORD_LENGTH ${policy.length} is shorter than the ${required} character types required`,
    );
  }
  return problems;
}

function requiredClasses(policy: PasswordPolicy, alphabets: Map<PasswordClass, string>): PasswordClass[] {
  const classes = new Set<PasswordClass>(policy.alwaysRequired);
  if (policy.requireEachIncludedType) for (const cls of alphabets.keys()) classes.add(cls);
  return [...classes].filter((cls) => alphabets.has(cls));
}

/** A password drawn with a CSPRNG; one character of each required class, in random positions. */
export function generatePassword(policy: PasswordPolicy): string {
  const alphabets = passwordAlphabets(policy);
  const all = [...alphabets.values()].join('');
  const chars: string[] = requiredClasses(policy, alphabets).map((cls) => pick(alphabets.get(cls) as string));
  while (chars.length < policy.length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] as string;
}
