import { LoginFailedError, type RotationError } from '@rotor/rotation-core';
import type { NextStep } from '../errors';
import { type RecoverCommandOptions, recoverCommandLine, shellQuote } from '../recover/recover-command-line';
import type { StuckRotation } from '../recover/stuck-rotation';

/** The exact `rotor doctor` command for a secret, with the options the current command was given. */
export function doctorCommandLine(secretId: string, options: RecoverCommandOptions = {}): string {
  const words = ['rotor', 'doctor', '--secret-id', shellQuote(secretId)];
  if (options.engine) words.push('--engine', shellQuote(options.engine));
  if (options.endpoint) words.push('--endpoint', shellQuote(options.endpoint));
  if (options.region) words.push('--region', shellQuote(options.region));
  return words.join(' ');
}

/** `rotor recover` (a dry run) for a rotation left part-way. */
export function recoverStep(secretId: string, options: RecoverCommandOptions, why: string): NextStep {
  return { command: recoverCommandLine(secretId, options), why };
}

/** `rotor doctor`, which checks the secret, DNS, port, TLS and login, each with its fix. */
export function doctorStep(secretId: string, options: RecoverCommandOptions, why: string): NextStep {
  return { command: doctorCommandLine(secretId, options), why };
}

/** Text form: one line per step; the reason follows `#`, so the line pastes into a shell as is. */
export function formatNextSteps(steps: readonly NextStep[]): string {
  return steps.map((s, i) => `${i === 0 ? 'Next:' : 'Then:'} ${s.command}   # ${s.why}\n`).join('');
}

/** The options of the current command that the suggested commands repeat. */
export function sameOptions(values: {
  readonly engine?: string;
  readonly endpoint?: string;
  readonly region?: string;
}): RecoverCommandOptions {
  return {
    ...(values.engine ? { engine: values.engine } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
}

export const RECOVER_WHY =
  'tries the AWSCURRENT and AWSPENDING credentials and says what it would change; add --apply to do it';

/**
 * What to run after a failed rotation: `rotor recover` when it left AWSPENDING behind (which
 * blocks the next rotation), and `rotor doctor`, which checks what the error points at. When the
 * database could not be reached or TLS failed, doctor comes first: recover cannot tell which
 * version works until the database answers.
 */
export function rotationFailureSteps(
  error: RotationError,
  left: StuckRotation | undefined,
  secretId: string,
  same: RecoverCommandOptions,
): NextStep[] {
  const reason = error instanceof LoginFailedError ? error.reason : undefined;
  const doctor = doctorStep(
    secretId,
    same,
    reason === 'network'
      ? 'checks that the host resolves and the port answers from here'
      : reason === 'tls'
        ? 'checks the TLS handshake and the certificate'
        : 'checks the secret, the database and the login, each with its fix',
  );
  if (left === undefined) return [doctor];
  const recover = recoverStep(
    secretId,
    same,
    `version ${left.pendingVersionId} is left holding AWSPENDING, which blocks the next rotation; recover ${RECOVER_WHY}`,
  );
  return reason === 'network' || reason === 'tls' ? [doctor, recover] : [recover, doctor];
}
