import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { MANAGED_SECRET_TAGS, type ManagedSecretResolution } from '@rotor/rotation-core';
import type { Topology } from '@rotor/secrets-manager-local';
import type { AppUser, ConformanceHarness } from './conformance-harness';
import { LoopbackAlias } from './loopback-alias';

export interface ManagedSuperuserOptions {
  /**
   * The RDS resolutions the engine declares: the DB instance cases run for `rds-instance`, the
   * DB cluster cases for `rds-cluster` (the refusals through the instance API when it has one,
   * else through the cluster API). Default both.
   */
  readonly resolutions?: readonly ManagedSecretResolution[];
  /** The Engine value RDS reports for the engine's databases (DocumentDB: `docdb`); default the adapter's engineValue. */
  readonly rdsEngine?: string;
  /** What the cases run against, for their names (e.g. `against the MongoDB protocol double`). */
  readonly against?: string;
}

/**
 * Alternating users with a superuser secret holding only `{username, password}` (the one RDS,
 * Aurora and DocumentDB manage), resolved through the emulator's RDS API to the test server; and
 * a rotated secret on a read replica, for which the same server reached through 127.0.0.2 stands in.
 */
export function describeManagedSuperuser(
  harness: () => ConformanceHarness,
  options: ManagedSuperuserOptions = {},
): void {
  const resolutions = options.resolutions ?? ['rds-instance', 'rds-cluster'];
  const instances = resolutions.includes('rds-instance');
  const clusters = resolutions.includes('rds-cluster');
  const title = 'superuser secrets the database service manages, and read replicas';
  describe(options.against ? `${title} (${options.against})` : title, () => {
    let h: ConformanceHarness;
    let alias: LoopbackAlias;
    let user: AppUser;
    let topology: Topology;
    const clone = () => `${user.username}_clone`;

    /** The test server as RDS instance rotor-primary and Aurora cluster rotor-aurora; the alias as a replica. */
    // With 'rotor-other', neither the instance's replica nor the cluster's reader is the alias.
    const setTopology = (
      replicaOf: 'rotor-primary' | 'rotor-other',
      engine = options.rdsEngine ?? h.adapter.engineValue,
    ) => {
      const su = h.adapter.superuser();
      const reader = replicaOf === 'rotor-primary' ? alias.host : 'reader.rotor.invalid';
      topology = h.controlPlane({
        dbInstances: [
          { id: 'rotor-primary', engine, address: su.host, port: su.port },
          { id: 'rotor-other', engine, address: 'other.rotor.invalid', port: su.port },
          { id: 'rotor-replica', engine, address: alias.host, port: alias.port, replicaOf },
        ],
        dbClusters: [{ id: 'rotor-aurora', engine, address: su.host, port: su.port, readerEndpoint: reader }],
      });
    };
    // The refusals go through the instance API when the engine resolves instances, else the cluster API.
    const primary = instances
      ? {
          tag: 'aws:rds:primarydbinstancearn',
          id: 'rotor-primary',
          kind: 'DB instance',
          api: 'DescribeDBInstances',
          gone: 'db:rotor-gone',
        }
      : {
          tag: 'aws:rds:primarydbclusterarn',
          id: 'rotor-aurora',
          kind: 'DB cluster',
          api: 'DescribeDBClusters',
          gone: 'cluster:rotor-gone',
        };
    const wantedTags = resolutions
      .map((r) => (r === 'rds-instance' ? 'aws:rds:primarydbinstancearn' : 'aws:rds:primarydbclusterarn'))
      .join(' or ');
    const arnOf = (id: string) =>
      [...topology.dbInstances, ...topology.dbClusters].find((d) => d.id === id)?.arn as string;

    /** A `{username, password}` superuser secret with the given tags, as the service creates it. */
    const managedSuperuser = async (tags: Record<string, string>) => {
      const su = h.adapter.superuser();
      h.knownPasswords.add(su.password);
      const arn = await h.createSecret('rds-managed', { username: su.username, password: su.password });
      if (Object.keys(tags).length > 0) {
        await h.client.send(
          new TagResourceCommand({
            SecretId: arn,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
      }
      return arn;
    };
    const onReplica = () => ({ host: alias.host, port: alias.port });
    const resolvedLog = () =>
      h.logs
        .records()
        .filter((r) => r.message === 'superuser resolved')
        .at(-1);

    const rotateAndExpectClone = async (arn: string) => {
      const token = await h.rotate(arn, 'alternating-users');
      const stages = await h.stages(arn);
      if (!stages[token]?.includes('AWSCURRENT')) {
        const failure = h.logs
          .records()
          .filter((r) => r.message === 'step failed')
          .at(-1);
        throw new Error(`rotation did not complete: ${JSON.stringify(failure)}`);
      }
      const current = await h.value(arn);
      expect(current.username).toBe(clone());
      expect(await h.adapter.canLogin(clone(), current.password as string)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
      return current;
    };

    beforeAll(async () => {
      h = harness();
      const su = h.adapter.superuser();
      alias = await LoopbackAlias.start({ host: su.host, port: su.port });
    });
    afterAll(async () => {
      h?.controlPlane({});
      await alias?.stop();
    });
    beforeEach(async () => {
      setTopology('rotor-primary');
      user = await h.appUser('rot_mgd');
    });

    // Cases of a resolution the engine does not declare are not defined at all.
    const itIf =
      (declared: boolean) =>
      (name: string, fn: () => Promise<void>): void => {
        if (declared) it(name, fn);
      };
    const itInstances = itIf(instances);
    const itClusters = itIf(clusters);

    itInstances(
      'resolves the host through RDS DescribeDBInstances (tag key in any case) and rotates',
      async () => {
        const superArn = await managedSuperuser({ 'aws:rds:primaryDBInstanceArn': arnOf('rotor-primary') });
        const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
        const current = await rotateAndExpectClone(arn);
        expect(current.masterarn).toBe(superArn);
        expect(resolvedLog()).toMatchObject({
          resolution: 'rds-instance',
          tag: 'aws:rds:primarydbinstancearn',
          database: arnOf('rotor-primary'),
          found: expect.stringContaining('RDS DB instance rotor-primary'),
        });
      },
    );

    itClusters(
      'resolves a DB cluster (Aurora, DocumentDB) through RDS DescribeDBClusters and rotates',
      async () => {
        const superArn = await managedSuperuser({ 'aws:rds:primarydbclusterarn': arnOf('rotor-aurora') });
        const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
        await rotateAndExpectClone(arn);
        expect(resolvedLog()).toMatchObject({
          resolution: 'rds-cluster',
          found: expect.stringContaining('rotor-aurora'),
        });
      },
    );

    itInstances(
      'rotates a secret on a read replica: users change on the primary, testSecret logs in on the replica',
      async () => {
        const superArn = await managedSuperuser({ 'aws:rds:primarydbinstancearn': arnOf('rotor-primary') });
        const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn, ...onReplica() }));
        const current = await rotateAndExpectClone(arn);
        expect(current).toMatchObject(onReplica());
        expect(resolvedLog()).toMatchObject({
          replica: 'read replica rotor-replica of DB instance rotor-primary',
        });
        // The pending login (setSecret's idempotence check, testSecret) went to the replica's endpoint.
        const replicaLogins = h.logs
          .records()
          .filter(
            (r) => r.message === 'logged in' && r.credentials === 'AWSPENDING' && r.host === alias.host,
          );
        expect(replicaLogins.length).toBeGreaterThan(0);
      },
    );

    itClusters("accepts a DB cluster's reader endpoint as the rotated secret's host", async () => {
      const superArn = await managedSuperuser({ 'aws:rds:primarydbclusterarn': arnOf('rotor-aurora') });
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn, ...onReplica() }));
      await rotateAndExpectClone(arn);
      expect(resolvedLog()).toMatchObject({ replica: 'the reader endpoint of DB cluster rotor-aurora' });
    });

    /** An engine value of another family, for the wrong-engine case. */
    const otherEngine = () =>
      ['sqlserver-ex', 'postgres'].find((e) => !h.adapter.engine.engineNames.includes(e)) as string;
    type Refusal = [string, () => Promise<{ superArn: string; host?: object }>, string, RegExp];
    // The RDS tag of a resolution the engine does not declare (SQL Server has no clusters,
    // DocumentDB no instances of its own) is refused, naming the tags it does resolve.
    const undeclared: Refusal[] = (['rds-instance', 'rds-cluster'] as const)
      .filter((r) => !resolutions.includes(r))
      .map((r) => [
        `an RDS ${r === 'rds-instance' ? 'DB instance' : 'DB cluster'} tag (this engine does not resolve it)`,
        async () => ({
          superArn: await managedSuperuser({
            [MANAGED_SECRET_TAGS[r]]: arnOf(r === 'rds-instance' ? 'rotor-primary' : 'rotor-aurora'),
          }),
        }),
        'SuperuserResolutionError',
        new RegExp(
          `is tagged ${MANAGED_SECRET_TAGS[r]}, which \\w+ does not resolve; it resolves ${wantedTags} \\(`,
        ),
      ]);
    const refusals: Refusal[] = [
      ...undeclared,
      [
        'a secret without host and without a resolvable tag',
        async () => ({ superArn: await managedSuperuser({ team: 'data' }) }),
        'SuperuserResolutionError',
        new RegExp(`has no "host" key and no tag ${wantedTags}`),
      ],
      [
        'a tag this engine does not resolve (Redshift cluster)',
        async () => ({
          superArn: await managedSuperuser({
            'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:wh',
          }),
        }),
        'SuperuserResolutionError',
        /is tagged aws:redshift:primaryclusterarn, which \w+ does not resolve/,
      ],
      [
        'a database the API cannot find',
        async () => ({
          superArn: await managedSuperuser({
            [primary.tag]: `arn:aws:rds:us-east-1:123456789012:${primary.gone}`,
          }),
        }),
        'SuperuserResolutionError',
        new RegExp(
          `tagged ${primary.tag}=arn:aws:rds:us-east-1:123456789012:${primary.gone}, but RDS ${primary.api} finds no such ${primary.kind}`,
        ),
      ],
      [
        'a database of another engine',
        async () => {
          setTopology('rotor-primary', otherEngine());
          return { superArn: await managedSuperuser({ [primary.tag]: arnOf(primary.id) }) };
        },
        'SuperuserResolutionError',
        /engine (sqlserver-ex|postgres); this function rotates/,
      ],
      [
        'a rotated secret on a read replica of another database',
        async () => {
          setTopology('rotor-other');
          return {
            superArn: await managedSuperuser({ [primary.tag]: arnOf(primary.id) }),
            host: onReplica(),
          };
        },
        'UnsafeRotationError',
        new RegExp(
          `rotated secret is for 127\\.0\\.0\\.2:\\d+, and RDS ${primary.kind} ${primary.id} .*has (no read replicas|read replicas only at)`,
        ),
      ],
    ];

    it.each(refusals)('refuses %s before anything changes', async (_name, setup, errorName, message) => {
      const { superArn, host } = await setup();
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn, ...host }));
      const token = await h.beginRotation(arn);
      await h.step('alternating-users', arn, token, 'createSecret');
      const before = await h.snapshot(arn);
      const error = await h.step('alternating-users', arn, token, 'setSecret').then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.name).toBe(errorName);
      expect(error?.message).toMatch(message);
      expect(error?.message).toContain(superArn);
      expect(await h.snapshot(arn)).toEqual(before);
      expect(await h.adapter.userExists(clone())).toBe(false);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
    });
  });
}
