import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DatabaseEngine } from '@rotor/rotation-core';

/**
 * Places where a rotation can crash, each right AFTER an effect took place, which is the hard
 * case for a retry: the database or the secret changed, but the step still failed.
 */
export type FaultPoint =
  | 'after-put-pending' // createSecret stored AWSPENDING, then crashed
  | 'after-database-change' // setSecret changed the password, then crashed before returning
  | 'in-test-query' // testSecret could log in but the test query failed
  | 'after-stage-move'; // finishSecret moved AWSCURRENT, then the response was lost

export class FaultInjector {
  private armed: FaultPoint | undefined;

  arm(point: FaultPoint): void {
    this.armed = point;
  }

  disarm(): void {
    this.armed = undefined;
  }

  /** Throws once at the armed point, then disarms. */
  trip(point: FaultPoint): void {
    if (this.armed === point) {
      this.armed = undefined;
      throw new Error(`injected fault ${point}`);
    }
  }
}

/** The engine with faults after its database changes and in its test query. */
export function faultyEngine<C>(engine: DatabaseEngine<C>, faults: FaultInjector): DatabaseEngine<C> {
  return {
    ...engine,
    maxUsernameLength: (env) => engine.maxUsernameLength(env),
    connect: (settings) => engine.connect(settings),
    close: (connection) => engine.close(connection),
    classifyConnectError: (error) => engine.classifyConnectError(error),
    runTestQuery: async (connection) => {
      faults.trip('in-test-query');
      await engine.runTestQuery(connection);
    },
    setOwnPassword: async (connection, change, context) => {
      await engine.setOwnPassword(connection, change, context);
      faults.trip('after-database-change');
    },
    upsertAlternateUser: async (connection, change, context) => {
      const outcome = await engine.upsertAlternateUser(connection, change, context);
      faults.trip('after-database-change');
      return outcome;
    },
  };
}

/** Makes a real SDK client fail right after a write reached the service (its response "lost"). */
export function injectSecretsManagerFaults(
  client: SecretsManagerClient,
  faults: FaultInjector,
): SecretsManagerClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'PutSecretValueCommand') faults.trip('after-put-pending');
      if (context.commandName === 'UpdateSecretVersionStageCommand') faults.trip('after-stage-move');
      return out;
    },
    { step: 'initialize', name: 'rotorFaultInjection' },
  );
  return client;
}
