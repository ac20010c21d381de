import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBInstances,
  RDSClient,
} from '@aws-sdk/client-rds';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  ListNamespacesCommand,
  paginateListWorkgroups,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import type { SecretsManagerLocal } from '../../src';
import { ACCOUNT, awsError, REGION, startEmulator } from '../helpers/emulator';

// The emulated control planes through the real SDK clients, which speak the query protocol (RDS,
// Redshift) and JSON 1.1 (Redshift Serverless) to the emulator's endpoint.
const config = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  maxAttempts: 1,
});

let server: SecretsManagerLocal;
let rds: RDSClient;
let redshift: RedshiftClient;
let serverless: RedshiftServerlessClient;

beforeAll(async () => {
  ({ server } = await startEmulator({
    topology: {
      dbInstances: [
        { id: 'db-primary', engine: 'postgres', address: 'primary.example.internal', port: 5432 },
        { id: 'db-replica', engine: 'postgres', address: '127.0.0.2', port: 5433, replicaOf: 'db-primary' },
        {
          id: 'aurora-w',
          engine: 'aurora-mysql',
          address: 'w.example',
          port: 3306,
          cluster: 'aurora',
          writer: true,
        },
        { id: 'aurora-r', engine: 'aurora-mysql', address: 'r.example', port: 3306, cluster: 'aurora' },
        ...Array.from({ length: 41 }, (_, n) => ({
          id: `bulk-${n}`,
          engine: 'mysql',
          address: `bulk-${n}.example`,
          port: 3306,
        })),
      ],
      dbClusters: [
        {
          id: 'aurora',
          engine: 'aurora-mysql',
          address: 'aurora.cluster-x.example',
          port: 3306,
          readerEndpoint: 'aurora.cluster-ro-x.example',
        },
      ],
      redshiftClusters: [{ id: 'warehouse', address: 'warehouse.example', port: 5439 }],
      workgroups: Array.from({ length: 3 }, (_, n) => ({
        id: `wg-${n}`,
        namespace: `ns-${n}`,
        address: `wg-${n}.example`,
        port: 5439,
      })),
    },
  }));
  rds = new RDSClient(config(server.endpoint));
  redshift = new RedshiftClient(config(server.endpoint));
  serverless = new RedshiftServerlessClient(config(server.endpoint));
});

afterAll(async () => {
  rds.destroy();
  redshift.destroy();
  serverless.destroy();
  await server.stop();
});

describe('RDS', () => {
  it('describes one instance by identifier or ARN, with endpoint, engine and replica links', async () => {
    const byId = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db-primary' }));
    const arn = `arn:aws:rds:${REGION}:${ACCOUNT}:db:db-primary`;
    const byArn = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: arn }));
    expect(byArn.DBInstances).toEqual(byId.DBInstances);
    expect(byId.DBInstances).toHaveLength(1);
    expect(byId.DBInstances?.[0]).toMatchObject({
      DBInstanceIdentifier: 'db-primary',
      DBInstanceArn: arn,
      Engine: 'postgres',
      Endpoint: { Address: 'primary.example.internal', Port: 5432 },
      ReadReplicaDBInstanceIdentifiers: ['db-replica'],
    });
    const replica = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db-replica' }));
    expect(replica.DBInstances?.[0]?.ReadReplicaSourceDBInstanceIdentifier).toBe('db-primary');
  });

  it('answers DBInstanceNotFound (HTTP 404) for an unknown instance', async () => {
    const error = await awsError(
      rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })),
      'DBInstanceNotFoundFault',
      'DBInstance nope not found.',
    );
    expect(error.$metadata.httpStatusCode).toBe(404);
    // On the wire: the query protocol's error document, with the service's code.
    const raw = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=DescribeDBInstances&Version=2014-10-31&DBInstanceIdentifier=nope',
    });
    expect(raw.status).toBe(404);
    expect(await raw.text()).toMatch(
      /<ErrorResponse xmlns="http:\/\/rds.amazonaws.com\/doc\/2014-10-31\/"><Error><Type>Sender<\/Type><Code>DBInstanceNotFound<\/Code><Message>DBInstance nope not found.<\/Message><\/Error><RequestId>[0-9a-f-]+<\/RequestId><\/ErrorResponse>/,
    );
  });

  it('pages through every instance with Marker', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 20 }, {})) {
      pages++;
      for (const i of page.DBInstances ?? []) ids.push(i.DBInstanceIdentifier ?? '');
    }
    expect(pages).toBe(3);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
  });

  it('refuses MaxRecords outside 20–100 as the service does', async () => {
    await awsError(rds.send(new DescribeDBInstancesCommand({ MaxRecords: 5 })), 'InvalidParameterValue');
  });

  it('describes a cluster with writer and reader endpoints and members, or DBClusterNotFoundFault', async () => {
    const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'aurora' }));
    expect(out.DBClusters?.[0]).toMatchObject({
      DBClusterIdentifier: 'aurora',
      Endpoint: 'aurora.cluster-x.example',
      ReaderEndpoint: 'aurora.cluster-ro-x.example',
      Port: 3306,
      Engine: 'aurora-mysql',
      DBClusterMembers: [
        { DBInstanceIdentifier: 'aurora-w', IsClusterWriter: true },
        { DBInstanceIdentifier: 'aurora-r', IsClusterWriter: false },
      ],
    });
    const error = await awsError(
      rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'gone' })),
      'DBClusterNotFoundFault',
      'DBCluster gone not found.',
    );
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('Redshift', () => {
  it('describes a cluster, or answers ClusterNotFound', async () => {
    const out = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'warehouse' }));
    expect(out.Clusters?.[0]).toMatchObject({
      ClusterIdentifier: 'warehouse',
      Endpoint: { Address: 'warehouse.example', Port: 5439 },
    });
    const error = await awsError(
      redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'other' })),
      'ClusterNotFoundFault',
      'Cluster other not found.',
    );
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('Redshift Serverless', () => {
  it('lists namespaces with their ARNs and pages through workgroups', async () => {
    const namespaces = await serverless.send(new ListNamespacesCommand({}));
    expect(namespaces.namespaces?.map((n) => n.namespaceName)).toEqual(['ns-0', 'ns-1', 'ns-2']);
    expect(namespaces.namespaces?.[0]?.namespaceArn).toMatch(
      /^arn:aws:redshift-serverless:us-east-1:123456789012:namespace\/[0-9a-f-]{36}$/,
    );
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListWorkgroups({ client: serverless, pageSize: 2 }, {})) {
      pages++;
      for (const w of page.workgroups ?? []) {
        names.push(`${w.workgroupName}/${w.namespaceName}@${w.endpoint?.address}:${w.endpoint?.port}`);
      }
    }
    expect(pages).toBe(2);
    expect(names).toEqual([
      'wg-0/ns-0@wg-0.example:5439',
      'wg-1/ns-1@wg-1.example:5439',
      'wg-2/ns-2@wg-2.example:5439',
    ]);
  });

  it('answers ValidationException with the JSON error shape for a bad page size', async () => {
    const error = await awsError(
      serverless.send(new ListNamespacesCommand({ maxResults: 500 })),
      'ValidationException',
    );
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('topology', () => {
  it('is replaced at run time and validated', () => {
    expect(() =>
      server.replaceTopology({
        dbInstances: [{ id: 'r', engine: 'postgres', address: 'x', port: 1, replicaOf: 'missing' }],
      }),
    ).toThrow(/replica of missing, which is not in the topology/);
  });
});
