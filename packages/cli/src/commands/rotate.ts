import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { EngineModule } from '@rotor/rotation-core';
import {
  type LocalRotationResult,
  RotationError,
  type RotationStep,
  rotateLocally,
  STRATEGY_NAMES,
  type StepResult,
  type StrategyName,
} from '@rotor/rotation-core';
import { engineFor, engineValues, resolveEngine } from '../engines/engine-registry';
import { ENGINES } from '../engines/engines';
import { environmentShowingWarnings, LogWarnings } from '../engines/log-warnings';
import { secretsManagerClient } from '../engines/secrets-manager-client';
import { CliError, type NextStep, UsageError } from '../errors';
import { findStuckRotation, type StuckRotation } from '../recover/stuck-rotation';
import type { Command } from './command';
import { RECOVER_WHY, recoverStep, rotationFailureSteps, sameOptions } from './next-steps';
import { parseOptions } from './parse-options';

/** A rotation step failed: named after the rotation's own typed error, whose message holds no secret. */
class RotationFailedError extends CliError {
  constructor(error: RotationError, next: readonly NextStep[], warnings: readonly string[]) {
    super(`rotate: ${error.name}: ${error.message}`, { cause: error, next, warnings });
    this.name = error.name;
  }
}

/** An earlier rotation stopped part-way; the message ends with the command that resolves it. */
class StuckRotationError extends CliError {
  override name = 'StuckRotationError';
}

interface SecretSnapshot {
  readonly arn: string;
  readonly stages: Readonly<Record<string, readonly string[]>>;
  /** The AWSCURRENT username; undefined when the value is not a JSON object with one. */
  readonly currentUser?: string;
  /** The AWSCURRENT `engine` key, likewise. */
  readonly engineValue?: string;
  readonly hasMasterArn: boolean;
}

export function createRotateCommand(engines: readonly EngineModule[] = ENGINES): Command {
  return {
    name: 'rotate',
    summary: 'Run one rotation of a secret with a Rotor handler, step by step',
    help: `Usage: rotor rotate --secret-id ID [--engine ENGINE] [--strategy STRATEGY] [--endpoint URL]
                    [--region REGION] [--verbose] [--json]

Drives one rotation exactly as Secrets Manager would (createSecret, setSecret, testSecret,
finishSecret), running the Rotor handler in this process against the database the secret names:
for debugging a rotation before the function is deployed. The secret needs no rotation
configuration. Environment variables are read as the function reads them (PASSWORD_LENGTH,
EXCLUDE_CHARACTERS, ROTOR_TLS_FALLBACK, ROTOR_CA_BUNDLE, ...). Downgrades and fallbacks (TLS
falling back to plaintext, logging in with AWSPREVIOUS) are printed as warnings. When a rotation
fails or is blocked, the commands to run next follow the error.

Options:
  --secret-id ID       Name or ARN of the secret to rotate
  --engine ENGINE      Overrides the secret's "engine" key (needed only when it has none):
                       ${engineValues(engines).join(', ')}
  --strategy STRATEGY  single-user or alternating-users (default: alternating-users when the
                       secret has a "masterarn" key, else single-user)
  --endpoint URL       Secrets Manager endpoint (default: SECRETS_MANAGER_ENDPOINT, else AWS)
  --region REGION      Region (default: AWS_REGION, else the region in the secret's ARN)
  --verbose            Write the handler's log lines (JSON, no secrets) to stderr
  --json               Print the result as one JSON object on stdout, failures too
                       ({"error", "next", "warnings"})
  -h, --help           Show this help

Exit status: 0 rotated, 1 the rotation failed, 2 wrong arguments.`,

    async run(args, io) {
      const { values } = parseOptions('rotate', args, {
        'secret-id': { type: 'string' },
        engine: { type: 'string' },
        strategy: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        verbose: { type: 'boolean' },
      });
      if (values.help) {
        io.out(`${this.help}\n`);
        return 0;
      }
      const secretId = values['secret-id'];
      if (!secretId) throw new UsageError('rotate: --secret-id is required');
      if (values.engine !== undefined && !engineFor(values.engine, engines)) {
        throw new UsageError(
          `rotate: unknown engine ${JSON.stringify(values.engine)}; known: ${engineValues(engines).join(', ')}`,
        );
      }
      if (values.strategy !== undefined && !STRATEGY_NAMES.includes(values.strategy as StrategyName)) {
        throw new UsageError(
          `rotate: unknown strategy ${JSON.stringify(values.strategy)}; known: ${STRATEGY_NAMES.join(', ')}`,
        );
      }
      if (values.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(values.endpoint)) {
        throw new UsageError(
          `rotate: --endpoint must be an http(s) URL, not ${JSON.stringify(values.endpoint)}`,
        );
      }

      const client = secretsManagerClient({
        secretId,
        ...(values.endpoint ? { endpoint: values.endpoint } : {}),
        ...(values.region ? { region: values.region } : {}),
        env: process.env,
      });
      const same = sameOptions(values);
      try {
        const before = await snapshot(client, secretId);
        const stuck = findStuckRotation(before.stages);
        if (stuck) {
          throw new StuckRotationError(
            `rotate: a previous rotation isn't complete: version ${stuck.pendingVersionId} holds AWSPENDING without AWSCURRENT, and no rotation can start until that is resolved`,
            { next: [recoverStep(secretId, same, RECOVER_WHY)] },
          );
        }
        const { value: engineValue, engine } = resolveEngine(
          'rotate',
          values.engine,
          before.engineValue,
          engines,
        );
        const strategy: StrategyName =
          (values.strategy as StrategyName | undefined) ??
          (before.hasMasterArn ? 'alternating-users' : 'single-user');
        const json = values.json === true;
        if (!json) {
          const engineFrom = values.engine === undefined ? ', from the secret' : '';
          const strategyFrom = values.strategy === undefined ? ' (from the secret)' : '';
          io.out(
            `Rotating ${before.arn}\n  engine ${engineValue} (${engine.family}${engineFrom}), strategy ${strategy}${strategyFrom}\n`,
          );
          io.out(`Before:\n${formatStages(before)}`);
          io.out('Steps:\n');
        }

        const started = Date.now();
        const warnings = new LogWarnings(values.verbose ? (line) => io.err(`${line}\n`) : undefined);
        const result = await rotateLocally(engine, strategy, {
          secretId: before.arn,
          client,
          env: environmentShowingWarnings(process.env),
          logSink: warnings.sink,
          onStep: json ? undefined : (step, r) => io.out(formatStep(step, r)),
        }).catch(async (error: unknown) => {
          if (!(error instanceof RotationError)) throw error;
          const left = await findStuckRotationAfter(client, before.arn);
          throw new RotationFailedError(
            error,
            rotationFailureSteps(error, left, secretId, same),
            warnings.list,
          );
        });
        const durationMs = Date.now() - started;
        const after = await snapshot(client, before.arn);

        if (json) {
          const fields = { secretId, engineValue, strategy, durationMs, warnings: warnings.list };
          io.out(`${JSON.stringify(jsonResult(fields, result, before, after), null, 2)}\n`);
        } else {
          if (warnings.list.length > 0) io.out(`Warnings:\n${warnings.list.map((w) => `  ${w}\n`).join('')}`);
          io.out(`After:\n${formatStages(after, result.versionId)}`);
          const was =
            before.currentUser !== undefined && before.currentUser !== after.currentUser
              ? ` (was ${JSON.stringify(before.currentUser)})`
              : '';
          io.out(`Current user: ${JSON.stringify(after.currentUser ?? '(unknown)')}${was}\n`);
          io.out(`Rotated in ${durationMs} ms.\n`);
        }
        return 0;
      } finally {
        client.destroy();
      }
    },
  };
}

/** Stages and the AWSCURRENT username; reads the value but keeps nothing of it but the username. */
async function snapshot(client: SecretsManagerClient, secretId: string): Promise<SecretSnapshot> {
  const meta = await client.send(new DescribeSecretCommand({ SecretId: secretId })).catch((error: Error) => {
    throw secretsManagerFailure('DescribeSecret', secretId, error);
  });
  const arn = meta.ARN ?? secretId;
  const value = await client
    .send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))
    .catch((error: Error) => {
      throw secretsManagerFailure('GetSecretValue', secretId, error);
    });
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(value.SecretString ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      fields = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the rotation's createSecret says so with a typed error.
  }
  return {
    arn,
    stages: meta.VersionIdsToStages ?? {},
    ...(typeof fields.username === 'string' ? { currentUser: fields.username } : {}),
    ...(typeof fields.engine === 'string' ? { engineValue: fields.engine } : {}),
    hasMasterArn: typeof fields.masterarn === 'string',
  };
}

/** After a failed rotation: the AWSPENDING it left behind, if any (unknown if the secret cannot be read). */
async function findStuckRotationAfter(
  client: SecretsManagerClient,
  arn: string,
): Promise<StuckRotation | undefined> {
  try {
    const meta = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    return findStuckRotation(meta.VersionIdsToStages ?? {});
  } catch {
    return undefined;
  }
}

function secretsManagerFailure(operation: string, secretId: string, error: Error): CliError {
  const notFound = error.name === 'ResourceNotFoundException';
  return new CliError(
    notFound
      ? `rotate: secret ${secretId} not found (${error.name}: ${error.message})`
      : `rotate: Secrets Manager ${operation} failed for ${secretId}: ${error.name}: ${error.message}`,
    { cause: error },
  );
}

function formatStages(s: SecretSnapshot, newVersion?: string): string {
  // After the rotation the current user gets a line of its own, next to the one before.
  const rows = Object.entries(s.stages).filter(([, stages]) => stages.length > 0);
  const lines = rows.map(
    ([id, stages]) => `  ${id}  ${stages.join(', ')}${id === newVersion ? '  (new)' : ''}\n`,
  );
  const user =
    s.currentUser === undefined || newVersion !== undefined
      ? ''
      : `  AWSCURRENT user ${JSON.stringify(s.currentUser)}\n`;
  return `${lines.join('')}${user}`;
}

function formatStep(step: RotationStep, r: StepResult): string {
  const calls = `${r.secretsManagerCalls} Secrets Manager call${r.secretsManagerCalls === 1 ? '' : 's'}`;
  return `  ${step.padEnd(12)} ${String(r.durationMs).padStart(6)} ms  ${calls}\n`;
}

function jsonResult(
  fields: {
    secretId: string;
    engineValue: string;
    strategy: StrategyName;
    durationMs: number;
    warnings: readonly string[];
  },
  result: LocalRotationResult,
  before: SecretSnapshot,
  after: SecretSnapshot,
) {
  return {
    secretId: fields.secretId,
    arn: result.arn,
    engine: fields.engineValue,
    strategy: fields.strategy,
    versionId: result.versionId,
    ...(result.previousVersionId ? { previousVersionId: result.previousVersionId } : {}),
    durationMs: fields.durationMs,
    warnings: fields.warnings,
    steps: result.steps.map((s) => ({
      step: s.step,
      durationMs: s.durationMs,
      secretsManagerCalls: s.secretsManagerCalls,
    })),
    before: { stages: before.stages, currentUser: before.currentUser ?? null },
    after: { stages: after.stages, currentUser: after.currentUser ?? null },
  };
}
