import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { MANAGED_SECRET_TAGS } from '@rotor/rotation-core';
import type { Topology } from '@rotor/secrets-manager-local';
import type { AppUser, ConformanceHarness } from './conformance-harness';
import { LoopbackAlias } from './loopback-alias';

/**
 * Alternating users with a superuser secret holding only `{username, password}` (the one RDS and
 * Aurora manage), resolved through the emulator's RDS API to the real test server; and a rotated
 * secret on a read replica, for which the same server reached through 127.0.0.2 stands in.
 * `clusters`: the engine also resolves Aurora clusters (rds-cluster); without it (RDS for SQL
 * Server has no clusters) the cluster cases become a refusal of the cluster tag.
 */
export function describeManagedSuperuser(harness: () => ConformanceHarness, clusters: boolean): void {
  describe('superuser secrets the database service manages, and read replicas', () => {
    let h: ConformanceHarness;
    let alias: LoopbackAlias;
    let user: AppUser;
    let topology: Topology;
    const clone = () => `${user.username}_clone`;

    /** The test server as RDS instance rotor-primary and Aurora cluster rotor-aurora; the alias as a replica. */
    const setTopology = (replicaOf: 'rotor-primary' | 'rotor-other', engine = h.adapter.engineValue) => {
      const su = h.adapter.superuser();
      topology = h.controlPlane({
        dbInstances: [
          { id: 'rotor-primary', engine, address: su.host, port: su.port },
          { id: 'rotor-other', engine, address: 'other.rotor.invalid', port: su.port },
          { id: 'rotor-replica', engine, address: alias.host, port: alias.port, replicaOf },
        ],
        dbClusters: [
          { id: 'rotor-aurora', engine, address: su.host, port: su.port, readerEndpoint: alias.host },
        ],
      });
    };
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

    it('resolves the host through RDS DescribeDBInstances (tag key in any case) and rotates', async () => {
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
    });

    // Registered only for engines that resolve clusters; the others refuse the tag (below).
    const itWithClusters = clusters ? it : () => {};

    itWithClusters('resolves an Aurora cluster through RDS DescribeDBClusters and rotates', async () => {
      const superArn = await managedSuperuser({ 'aws:rds:primarydbclusterarn': arnOf('rotor-aurora') });
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
      await rotateAndExpectClone(arn);
      expect(resolvedLog()).toMatchObject({
        resolution: 'rds-cluster',
        found: expect.stringContaining('rotor-aurora'),
      });
    });

    it('rotates a secret on a read replica: users change on the primary, testSecret logs in on the replica', async () => {
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
        .filter((r) => r.message === 'logged in' && r.credentials === 'AWSPENDING' && r.host === alias.host);
      expect(replicaLogins.length).toBeGreaterThan(0);
    });

    itWithClusters("accepts an Aurora cluster's reader endpoint as the rotated secret's host", async () => {
      const superArn = await managedSuperuser({ 'aws:rds:primarydbclusterarn': arnOf('rotor-aurora') });
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn, ...onReplica() }));
      await rotateAndExpectClone(arn);
      expect(resolvedLog()).toMatchObject({ replica: 'the reader endpoint of DB cluster rotor-aurora' });
    });

    const resolvedTags = [
      MANAGED_SECRET_TAGS['rds-instance'],
      ...(clusters ? [MANAGED_SECRET_TAGS['rds-cluster']] : []),
    ].join(' or ');
    /** An engine value of another family, for the wrong-engine case. */
    const otherEngine = () =>
      ['sqlserver-ex', 'postgres'].find((e) => !h.adapter.engine.engineNames.includes(e)) as string;
    type Refusal = [string, () => Promise<{ superArn: string; host?: object }>, string, RegExp];
    const refusals: Refusal[] = [
      [
        'a secret without host and without a resolvable tag',
        async () => ({ superArn: await managedSuperuser({ team: 'data' }) }),
        'SuperuserResolutionError',
        new RegExp(`has no "host" key and no tag ${resolvedTags} naming its database`),
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
      ...(clusters
        ? []
        : [
            [
              'an Aurora cluster tag (this engine has no clusters)',
              async () => ({
                superArn: await managedSuperuser({ 'aws:rds:primarydbclusterarn': arnOf('rotor-aurora') }),
              }),
              'SuperuserResolutionError',
              /is tagged aws:rds:primarydbclusterarn, which \w+ does not resolve; it resolves aws:rds:primarydbinstancearn \(/,
            ] as Refusal,
          ]),
      [
        'a database the API cannot find',
        async () => ({
          superArn: await managedSuperuser({
            'aws:rds:primarydbinstancearn': 'arn:aws:rds:us-east-1:123456789012:db:rotor-gone',
          }),
        }),
        'SuperuserResolutionError',
        /tagged aws:rds:primarydbinstancearn=arn:aws:rds:us-east-1:123456789012:db:rotor-gone, but RDS DescribeDBInstances finds no such DB instance/,
      ],
      [
        'a database of another engine',
        async () => {
          setTopology('rotor-primary', otherEngine());
          return {
            superArn: await managedSuperuser({ 'aws:rds:primarydbinstancearn': arnOf('rotor-primary') }),
          };
        },
        'SuperuserResolutionError',
        /engine (sqlserver-ex|postgres); this function rotates/,
      ],
      [
        'a rotated secret on a read replica of another database',
        async () => {
          setTopology('rotor-other');
          return {
            superArn: await managedSuperuser({ 'aws:rds:primarydbinstancearn': arnOf('rotor-primary') }),
            host: onReplica(),
          };
        },
        'UnsafeRotationError',
        /rotated secret is for 127\.0\.0\.2:\d+, and RDS DB instance rotor-primary .*has no read replicas/,
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
