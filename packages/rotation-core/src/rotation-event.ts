import { InvalidEventError } from './errors';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** What Secrets Manager sends to a rotation function, once per step. */
export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  /** Newer events; passed on to PutSecretValue (cross-account rotation). */
  readonly RotationToken?: string;
}

/** Validates the Lambda event; errors name the member and the problem. */
export function parseRotationEvent(event: unknown): RotationEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(
      'rotation event must be a JSON object with Step, SecretId and ClientRequestToken',
    );
  }
  const e = event as Record<string, unknown>;
  const secretId = e.SecretId;
  if (typeof secretId !== 'string' || secretId.trim() === '') {
    throw new InvalidEventError(
      `rotation event member SecretId must be a non-empty string, not ${kind(secretId)}`,
    );
  }
  const context = { secretId };
  const token = e.ClientRequestToken;
  if (typeof token !== 'string') {
    throw new InvalidEventError(
      `rotation event member ClientRequestToken must be a string, not ${kind(token)}`,
      context,
    );
  }
  if (token.length < 32 || token.length > 64) {
    throw new InvalidEventError(
      `rotation event member ClientRequestToken must be 32 to 64 characters long, not ${token.length}`,
      context,
    );
  }
  const step = e.Step;
  if (typeof step !== 'string' || !(ROTATION_STEPS as readonly string[]).includes(step)) {
    throw new InvalidEventError(
      `rotation event member Step must be one of ${ROTATION_STEPS.join(', ')}, not ${typeof step === 'string' ? JSON.stringify(step.slice(0, 40)) : kind(step)}`,
      { ...context, versionId: token },
    );
  }
  const rotationToken = e.RotationToken;
  if (rotationToken !== undefined && rotationToken !== null) {
    if (typeof rotationToken !== 'string' || !/^[A-Za-z0-9-]{36,256}$/.test(rotationToken)) {
      throw new InvalidEventError(
        'rotation event member RotationToken must be 36 to 256 letters, digits or hyphens',
        {
          ...context,
          versionId: token,
        },
      );
    }
  }
  return {
    Step: step as RotationStep,
    SecretId: secretId,
    ClientRequestToken: token,
    ...(typeof rotationToken === 'string' ? { RotationToken: rotationToken } : {}),
  };
}

function kind(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
