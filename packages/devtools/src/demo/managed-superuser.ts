import type { EngineTestAdapter } from '@rotor/testkit';
import type { Check } from './demo-report';
import type { HandlerOutput } from './handler-output';
import type { ZipRotationRig } from './zip-rotation-rig';

/** The RDS DB instance the emulator reports for the demo's database, and the secret RDS would manage. */
export const MANAGED = {
  instance: 'rotor-demo',
  secretName: 'rotor-demo/rds-master',
  tag: 'aws:rds:primaryDBInstanceArn',
} as const;

/**
 * Makes the demo's admin a superuser secret as RDS manages one: the emulator's RDS API reports
 * the demo's database as DB instance `rotor-demo`, the secret holds only `{username, password}`
 * and carries RDS's tag naming the instance, and the app secret's `masterarn` is pointed at it
 * (a new current version, as PutSecretValue makes). The handler must find the host through RDS
 * DescribeDBInstances. Returns the tagged secret's ARN.
 */
export async function useManagedSuperuser(
  rig: ZipRotationRig,
  database: Pick<EngineTestAdapter, 'engineValue' | 'superuser'>,
  admin: { readonly username: string; readonly password: string },
  appArn: string,
): Promise<{ superArn: string; instanceArn: string }> {
  const { host, port } = database.superuser();
  const topology = rig.emulator.replaceTopology({
    dbInstances: [{ id: MANAGED.instance, engine: database.engineValue, address: host, port }],
  });
  const instanceArn = topology.dbInstances[0]?.arn as string;
  const superArn = await rig.createSecret(
    MANAGED.secretName,
    { username: admin.username, password: admin.password },
    { [MANAGED.tag]: instanceArn },
  );
  await rig.putValue(appArn, { ...(await rig.currentValue(appArn)), masterarn: superArn });
  return { superArn, instanceArn };
}

/** That the handler resolved the superuser through the RDS API, from its `superuser resolved` line. */
export function resolvedThroughRds(output: HandlerOutput, versionId: string): Check {
  const label = `the superuser's host came from RDS DescribeDBInstances (DB instance ${MANAGED.instance})`;
  const record = output
    .records()
    .filter((r) => r.message === 'superuser resolved' && (r.versionId ?? versionId) === versionId)
    .at(-1);
  const held =
    record?.resolution === 'rds-instance' &&
    String(record.found ?? '').includes(`RDS DB instance ${MANAGED.instance}`);
  return { label, held, ...(record === undefined ? { detail: 'the handler logged no resolution' } : {}) };
}
