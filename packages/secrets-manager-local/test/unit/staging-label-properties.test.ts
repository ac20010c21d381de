// Property test on the store itself: thousands of random sequences of PutSecretValue,
// UpdateSecretVersionStage, RotateSecret (with well- and badly-behaved rotation functions) and
// CancelRotateSecret, checking the label invariants after every call.
import fc from 'fast-check';
import { SecretStore, SecretsManagerServiceError } from '../../src';
import {
  type LabelCommand,
  labelSequence,
  labelViolations,
  removeFromFor,
  tokenFor,
} from '../helpers/label-commands';

const SECRET = 'property-secret';
/** Successful calls by kind, to show the sequences reach deep states and not only errors. */
const succeeded = { put: 0, move: 0, rotation: 0 };

/** Runs one call; the service may refuse it with an AWS error, but must never throw anything else. */
function attempt(call: () => unknown): boolean {
  try {
    call();
    return true;
  } catch (error) {
    if (error instanceof SecretsManagerServiceError) return false;
    throw error;
  }
}

function currentHolder(store: SecretStore): string | undefined {
  return store.snapshotVersions(SECRET).find((v) => v.stages.includes('AWSCURRENT'))?.versionId;
}

/** What a rotation function would do for one RotateSecret, played directly against the store. */
function rotate(store: SecretStore, command: Extract<LabelCommand, { kind: 'rotate' }>): void {
  const lambdaArn = store.lambdaArn('property');
  let started: ReturnType<SecretStore['startRotation']> | undefined;
  attempt(() => {
    started = store.startRotation(
      {
        SecretId: SECRET,
        ClientRequestToken: tokenFor(command.token),
        RotationLambdaARN: lambdaArn,
        RotateImmediately: command.immediately,
      },
      () => true,
    );
  });
  if (!started) return;
  const { plan } = started;
  if (plan.mode === 'test-only') {
    if (command.behaviour === 'complete') store.completeRotation(plan);
    else store.abandonRotation(plan);
    return;
  }
  if (command.behaviour === 'fail-at-create') {
    store.abandonRotation(plan);
    return;
  }
  const created = attempt(() =>
    store.putSecretValue({
      SecretId: SECRET,
      ClientRequestToken: plan.token,
      SecretString: `rotated-${plan.token}`,
      VersionStages: ['AWSPENDING'],
    }),
  );
  if (!created || command.behaviour === 'fail-after-create') {
    store.abandonRotation(plan);
    return;
  }
  if (command.behaviour === 'complete') {
    const current = currentHolder(store);
    const moved = attempt(() =>
      store.updateSecretVersionStage({
        SecretId: SECRET,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: plan.token,
        RemoveFromVersionId: current === plan.token ? undefined : current,
      }),
    );
    if (!moved) {
      store.abandonRotation(plan);
      return;
    }
  }
  store.completeRotation(plan);
  succeeded.rotation += 1;
}

function run(store: SecretStore, command: LabelCommand): void {
  switch (command.kind) {
    case 'put':
      if (
        attempt(() =>
          store.putSecretValue({
            SecretId: SECRET,
            ClientRequestToken: tokenFor(command.token),
            SecretString: `value-${command.value}`,
            VersionStages: command.stages,
          }),
        )
      )
        succeeded.put += 1;
      return;
    case 'move':
      if (
        attempt(() =>
          store.updateSecretVersionStage({
            SecretId: SECRET,
            VersionStage: command.label,
            MoveToVersionId: command.moveTo === undefined ? undefined : tokenFor(command.moveTo),
            RemoveFromVersionId: removeFromFor(
              command,
              store.snapshotVersions(SECRET).find((v) => v.stages.includes(command.label))?.versionId,
            ),
          }),
        )
      )
        succeeded.move += 1;
      return;
    case 'rotate':
      rotate(store, command);
      return;
    case 'cancel':
      store.cancelRotateSecret(SECRET);
      return;
  }
}

test('every label sits on at most one version and AWSCURRENT exists once a value does, after every call', () => {
  let calls = 0;
  fc.assert(
    fc.property(labelSequence, ({ startsWithValue, commands }) => {
      const store = new SecretStore({ region: 'us-east-1', accountId: '123456789012' });
      store.createSecret({
        Name: SECRET,
        ClientRequestToken: tokenFor(99),
        SecretString: startsWithValue ? 'initial' : undefined,
      });
      for (const command of commands) {
        run(store, command);
        calls += 1;
        const problems = labelViolations(store.snapshotVersions(SECRET));
        if (problems.length > 0) throw new Error(`after ${JSON.stringify(command)}: ${problems.join('; ')}`);
      }
    }),
    { numRuns: 3000 },
  );
  // The sequences must actually exercise the store, not fail fast on their first call.
  expect(calls).toBeGreaterThan(3000 * 5);
  expect(succeeded.put).toBeGreaterThan(1000);
  expect(succeeded.move).toBeGreaterThan(500);
  expect(succeeded.rotation).toBeGreaterThan(200);
});
