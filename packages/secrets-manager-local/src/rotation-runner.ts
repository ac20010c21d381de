import type { RotationEvent } from './rotation-event';
import type { RotationPlan } from './rotation-lifecycle';
import type { SecretStore } from './secret-store';

const FULL_STEPS: RotationEvent['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/**
 * Invokes the rotation function step by step, as the service does, and stops at the first step
 * that fails, leaving the secret as the function left it (so the next RotateSecret sees an
 * unfinished rotation). Resolves true when every step succeeded. Never rejects.
 */
export async function runRotation(
  store: SecretStore,
  plan: RotationPlan,
  invoke: (lambdaArn: string, event: RotationEvent) => Promise<unknown>,
  log: (line: string) => void,
): Promise<boolean> {
  const steps = plan.mode === 'full' ? FULL_STEPS : (['testSecret'] as const);
  for (const step of steps) {
    const event: RotationEvent = {
      Step: step,
      SecretId: plan.secretArn,
      ClientRequestToken: plan.token,
      RotationToken: plan.rotationToken,
    };
    try {
      await invoke(plan.lambdaArn, event);
    } catch (error) {
      const { name, message } = error as { name?: string; errorType?: string; message?: string };
      // Names and messages only: the event and the secret's values are never logged.
      log(
        JSON.stringify({
          event: 'rotation-step-failed',
          secretId: plan.secretArn,
          step,
          versionId: plan.token,
          lambdaArn: plan.lambdaArn,
          errorName: (error as { errorType?: string }).errorType ?? name ?? 'Error',
          errorMessage: message ?? String(error),
        }),
      );
      store.abandonRotation(plan);
      return false;
    }
  }
  store.completeRotation(plan);
  return true;
}
