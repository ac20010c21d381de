import { randomUUID } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Deadline } from './deadline';
import type { DatabaseEngine } from './engine';
import { SecretStateError } from './errors';
import { ROTATION_STEPS, type RotationStep } from './rotation-event';
import { createStepRuntime, type RotationHandlerOptions, runStep, type StepResult } from './rotation-handler';
import { SecretsGateway, secretsManagerClientFor } from './secrets-gateway';
import type { StrategyName } from './strategies/rotation-strategy';

export interface LocalRotationOptions extends RotationHandlerOptions {
  readonly secretId: string;
  /** Called after each step that succeeded. */
  readonly onStep?: (step: RotationStep, result: StepResult) => void;
}

export interface LocalRotationResult {
  readonly arn: string;
  readonly versionId: string;
  readonly previousVersionId?: string;
  readonly steps: readonly (StepResult & { readonly step: RotationStep })[];
}

/**
 * Drives one rotation the way Secrets Manager does (the same four steps, the same handler code),
 * from this process instead of the service: for debugging a rotation before the function is
 * deployed (`rotor rotate`). Differences from the service, because the public API cannot do
 * otherwise: no rotation needs to be configured on the secret, and the new version is created by
 * createSecret rather than as an empty placeholder beforehand. Like the service, it refuses to
 * start while another rotation is in progress and removes AWSPENDING after success.
 */
export async function rotateLocally<C>(
  engine: DatabaseEngine<C>,
  strategy: StrategyName,
  options: LocalRotationOptions,
): Promise<LocalRotationResult> {
  const runtime = createStepRuntime(engine, strategy, options);
  const client: SecretsManagerClient =
    options.client ??
    secretsManagerClientFor(options.secretId, runtime.config.secretsManagerEndpoint, runtime.env, {
      connectTimeoutMs: runtime.config.connectTimeoutMs,
    });
  const context = { secretId: options.secretId };
  // The calls made here, outside the steps, get a step's time each, as the steps do.
  const gateway = () =>
    new SecretsGateway(client, context, Deadline.after(runtime.config.localStepTimeoutMs));
  const meta = await gateway().describe(options.secretId);
  const arn = meta.arn ?? options.secretId;
  const versions = Object.entries(meta.versions);
  const inProgress = versions.find(
    ([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'),
  );
  if (inProgress) {
    throw new SecretStateError(
      `a previous rotation isn't complete: version ${inProgress[0]} holds AWSPENDING without AWSCURRENT (finish it, or remove the label with update-secret-version-stage)`,
      context,
    );
  }
  const previousVersionId = versions.find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  const token = randomUUID();
  const steps: (StepResult & { step: RotationStep })[] = [];
  for (const step of ROTATION_STEPS) {
    const result = await runStep(
      { Step: step, SecretId: arn, ClientRequestToken: token },
      { ...runtime, client },
      'local',
    );
    steps.push({ step, ...result });
    options.onStep?.(step, result);
  }
  // What the service does after the four steps succeeded.
  await gateway().removeStage(arn, 'AWSPENDING', token);
  return { arn, versionId: token, ...(previousVersionId ? { previousVersionId } : {}), steps };
}
