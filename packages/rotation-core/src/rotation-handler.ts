import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadRotationConfig, type RotationConfig } from './config';
import { Deadline } from './deadline';
import type { DatabaseEngine, EngineEnvironment } from './engine';
import { RotationError } from './errors';
import { Logger, type LogSink } from './logger';
import { describeError, Redactor } from './redactor';
import { parseRotationEvent } from './rotation-event';
import { RotationSteps, type StepDriver } from './rotation-steps';
import { SecretsGateway, secretsManagerClientFor } from './secrets-gateway';
import { AlternatingUsersStrategy } from './strategies/alternating-users-strategy';
import type { RotationStrategy, StrategyName } from './strategies/rotation-strategy';
import { SingleUserStrategy } from './strategies/single-user-strategy';

export interface RotationHandlerOptions {
  /** Defaults to process.env, read once when the handler is created (cold start). */
  readonly env?: EngineEnvironment;
  /** A Secrets Manager client to use instead of one built from the environment. */
  readonly client?: SecretsManagerClient;
  /** Where log lines go; console by default (CloudWatch in Lambda). */
  readonly logSink?: LogSink;
}

/** The Lambda handler: `(event, context) => Promise<void>`; throwing fails the step. */
export type RotationHandler = (event: unknown, context?: unknown) => Promise<void>;

/**
 * Builds the Lambda handler for an engine and a strategy. Configuration is validated here, at
 * cold start, so a bad environment variable fails every invocation with the same clear error.
 *
 * ```ts
 * export const handler = createRotationHandler(postgresEngine, 'single-user');
 * ```
 */
export function createRotationHandler<C>(
  engine: DatabaseEngine<C>,
  strategyName: StrategyName,
  options: RotationHandlerOptions = {},
): RotationHandler {
  const runtime = createStepRuntime(engine, strategyName, options);
  return async (rawEvent: unknown, context?: unknown) => {
    await runStep(rawEvent, runtime, 'service', context);
  };
}

/** Configuration (validated), strategy and logger for an engine: what every step needs. */
export function createStepRuntime<C>(
  engine: DatabaseEngine<C>,
  strategyName: StrategyName,
  options: RotationHandlerOptions = {},
): StepRuntime<C> {
  const env = options.env ?? process.env;
  const config = loadRotationConfig(engine, env);
  const strategy: RotationStrategy =
    strategyName === 'single-user' ? new SingleUserStrategy() : new AlternatingUsersStrategy();
  const baseLog = new Logger({
    level: config.logLevel,
    ...(options.logSink ? { sink: options.logSink } : {}),
    fields: { engine: engine.family, strategy: strategy.name },
  });
  return { engine, strategy, config, env, baseLog, ...(options.client ? { client: options.client } : {}) };
}

export interface StepRuntime<C> {
  readonly engine: DatabaseEngine<C>;
  readonly strategy: RotationStrategy;
  readonly config: RotationConfig;
  readonly env: EngineEnvironment;
  readonly baseLog: Logger;
  readonly client?: SecretsManagerClient;
}

/** One step, with its logging and error shaping; shared by the handler and `rotateLocally`. */
export async function runStep<C>(
  rawEvent: unknown,
  runtime: StepRuntime<C>,
  driver: StepDriver,
  lambdaContext?: unknown,
): Promise<StepResult> {
  const started = Date.now();
  const deadline = Deadline.fromLambdaContext(
    lambdaContext,
    runtime.config.deadlineMarginMs,
    runtime.config.localStepTimeoutMs,
  );
  const redactor = new Redactor();
  let log = runtime.baseLog.child({}, redactor);
  let secrets: SecretsGateway | undefined;
  try {
    const event = parseRotationEvent(rawEvent);
    const errorContext = { secretId: event.SecretId, step: event.Step, versionId: event.ClientRequestToken };
    log = runtime.baseLog.child(
      { secretId: event.SecretId, step: event.Step, versionId: event.ClientRequestToken },
      redactor,
    );
    log.info('step started');
    secrets = new SecretsGateway(
      runtime.client ??
        secretsManagerClientFor(event.SecretId, runtime.config.secretsManagerEndpoint, runtime.env, {
          connectTimeoutMs: runtime.config.connectTimeoutMs,
        }),
      errorContext,
      deadline,
    );
    await new RotationSteps(
      event,
      runtime.engine,
      runtime.strategy,
      runtime.config,
      secrets,
      log,
      redactor,
      errorContext,
      deadline,
      driver,
    ).run();
    const result = { durationMs: Date.now() - started, secretsManagerCalls: secrets.calls };
    log.info('step finished', result);
    return result;
  } catch (error) {
    const failure = error instanceof RotationError ? error : unexpected(error, redactor);
    log.error('step failed', {
      durationMs: Date.now() - started,
      secretsManagerCalls: secrets?.calls ?? 0,
      error: { name: failure.name, message: redactor.redact(failure.message) },
    });
    throw failure;
  }
}

export interface StepResult {
  readonly durationMs: number;
  readonly secretsManagerCalls: number;
}

/** A bug or an unforeseen failure: surface name and (redacted) message, keep the original as cause. */
function unexpected(error: unknown, redactor: Redactor): RotationError {
  const e = describeError(error, redactor);
  return new RotationError(`unexpected ${e.name}: ${e.message}`, {}, { cause: error });
}
