import type { Deadline } from '../deadline';
import type { EngineEnvironment } from '../engine';
import type { RotationErrorContext } from '../errors';
import type {
  ControlPlane,
  DbClusterInfo,
  DbInstanceInfo,
  EndpointInfo,
  NamespaceInfo,
  WorkgroupInfo,
} from './control-plane';
import { ControlPlaneError } from './resolution-errors';

/** Environment variables that point a client at another endpoint (the local emulator). */
export const CONTROL_PLANE_ENDPOINT_VARIABLES = {
  rds: 'ROTOR_RDS_ENDPOINT',
  redshift: 'ROTOR_REDSHIFT_ENDPOINT',
  redshiftServerless: 'ROTOR_REDSHIFT_SERVERLESS_ENDPOINT',
} as const;

// Error codes the services answer for an identifier they do not know.
const NOT_FOUND = new Set([
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
  'DBClusterNotFoundFault',
  'ClusterNotFound',
  'ClusterNotFoundFault',
]);

type Service = keyof typeof CONTROL_PLANE_ENDPOINT_VARIABLES;
interface SdkClient {
  send(command: unknown, options: { abortSignal: AbortSignal }): Promise<unknown>;
}

const clients = new Map<string, SdkClient>();

// Loaded on first use only, so a rotation that does not need them never reads them.
type Rds = typeof import('./rds-sdk');
type Redshift = typeof import('./redshift-sdk');
type RedshiftServerless = typeof import('./redshift-serverless-sdk');
const loadRds = (): Rds => require('./rds-sdk') as Rds;
const loadRedshift = (): Redshift => require('./redshift-sdk') as Redshift;
const loadRedshiftServerless = (): RedshiftServerless =>
  require('./redshift-serverless-sdk') as RedshiftServerless;

/**
 * The real AWS SDK clients. Each SDK package is loaded on the first call that needs it, so a
 * rotation whose superuser secret is complete never loads (or pays the start-up cost of) any of
 * them. Every call is bounded by the step's deadline.
 */
export class AwsControlPlane implements ControlPlane {
  constructor(
    private readonly region: string,
    private readonly env: EngineEnvironment,
    private readonly deadline: Deadline,
    private readonly context: RotationErrorContext,
  ) {}

  async describeDbInstances(identifier?: string): Promise<DbInstanceInfo[]> {
    const sdk = loadRds();
    const client = await this.client('rds', () => new sdk.RDSClient(this.options('rds')));
    const out: DbInstanceInfo[] = [];
    let marker: string | undefined;
    do {
      const page = (await this.send(
        client,
        'RDS DescribeDBInstances',
        () =>
          new sdk.DescribeDBInstancesCommand({
            ...(identifier ? { DBInstanceIdentifier: identifier } : {}),
            ...(marker ? { Marker: marker } : {}),
          }),
      )) as import('@aws-sdk/client-rds').DescribeDBInstancesCommandOutput | undefined;
      if (!page) return [];
      for (const i of page.DBInstances ?? []) {
        out.push({
          identifier: i.DBInstanceIdentifier ?? '',
          ...(i.DBInstanceArn ? { arn: i.DBInstanceArn } : {}),
          ...(i.Engine ? { engine: i.Engine } : {}),
          ...(i.Endpoint?.Address ? { address: i.Endpoint.Address } : {}),
          ...(i.Endpoint?.Port ? { port: i.Endpoint.Port } : {}),
          readReplicaIdentifiers: i.ReadReplicaDBInstanceIdentifiers ?? [],
          ...(i.ReadReplicaSourceDBInstanceIdentifier
            ? { readReplicaSource: i.ReadReplicaSourceDBInstanceIdentifier }
            : {}),
        });
      }
      marker = page.Marker;
    } while (marker);
    return out;
  }

  async describeDbClusters(identifier?: string): Promise<DbClusterInfo[]> {
    const sdk = loadRds();
    const client = await this.client('rds', () => new sdk.RDSClient(this.options('rds')));
    const out: DbClusterInfo[] = [];
    let marker: string | undefined;
    do {
      const page = (await this.send(
        client,
        'RDS DescribeDBClusters',
        () =>
          new sdk.DescribeDBClustersCommand({
            ...(identifier ? { DBClusterIdentifier: identifier } : {}),
            ...(marker ? { Marker: marker } : {}),
          }),
      )) as import('@aws-sdk/client-rds').DescribeDBClustersCommandOutput | undefined;
      if (!page) return [];
      for (const c of page.DBClusters ?? []) {
        out.push({
          identifier: c.DBClusterIdentifier ?? '',
          ...(c.DBClusterArn ? { arn: c.DBClusterArn } : {}),
          ...(c.Engine ? { engine: c.Engine } : {}),
          ...(c.Endpoint ? { address: c.Endpoint } : {}),
          ...(c.Port ? { port: c.Port } : {}),
          ...(c.ReaderEndpoint ? { readerEndpoint: c.ReaderEndpoint } : {}),
          members: (c.DBClusterMembers ?? []).map((m) => ({
            instanceIdentifier: m.DBInstanceIdentifier ?? '',
            isWriter: m.IsClusterWriter === true,
          })),
        });
      }
      marker = page.Marker;
    } while (marker);
    return out;
  }

  async describeRedshiftClusters(identifier: string): Promise<EndpointInfo[]> {
    const sdk = loadRedshift();
    const client = await this.client('redshift', () => new sdk.RedshiftClient(this.options('redshift')));
    const out: EndpointInfo[] = [];
    let marker: string | undefined;
    do {
      const page = (await this.send(
        client,
        'Redshift DescribeClusters',
        () =>
          new sdk.DescribeClustersCommand({
            ClusterIdentifier: identifier,
            ...(marker ? { Marker: marker } : {}),
          }),
      )) as import('@aws-sdk/client-redshift').DescribeClustersCommandOutput | undefined;
      if (!page) return [];
      for (const c of page.Clusters ?? []) {
        out.push({
          identifier: c.ClusterIdentifier ?? '',
          engine: 'redshift',
          ...(c.Endpoint?.Address ? { address: c.Endpoint.Address } : {}),
          ...(c.Endpoint?.Port ? { port: c.Endpoint.Port } : {}),
        });
      }
      marker = page.Marker;
    } while (marker);
    return out;
  }

  async listNamespaces(): Promise<NamespaceInfo[]> {
    const sdk = loadRedshiftServerless();
    const client = await this.client(
      'redshiftServerless',
      () => new sdk.RedshiftServerlessClient(this.options('redshiftServerless')),
    );
    const out: NamespaceInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = (await this.send(
        client,
        'Redshift Serverless ListNamespaces',
        () => new sdk.ListNamespacesCommand(nextToken ? { nextToken } : {}),
      )) as import('@aws-sdk/client-redshift-serverless').ListNamespacesCommandOutput;
      for (const n of page.namespaces ?? []) {
        if (n.namespaceName && n.namespaceArn) out.push({ name: n.namespaceName, arn: n.namespaceArn });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  async listWorkgroups(): Promise<WorkgroupInfo[]> {
    const sdk = loadRedshiftServerless();
    const client = await this.client(
      'redshiftServerless',
      () => new sdk.RedshiftServerlessClient(this.options('redshiftServerless')),
    );
    const out: WorkgroupInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = (await this.send(
        client,
        'Redshift Serverless ListWorkgroups',
        () => new sdk.ListWorkgroupsCommand(nextToken ? { nextToken } : {}),
      )) as import('@aws-sdk/client-redshift-serverless').ListWorkgroupsCommandOutput;
      for (const w of page.workgroups ?? []) {
        if (!w.workgroupName || !w.namespaceName) continue;
        out.push({
          name: w.workgroupName,
          namespaceName: w.namespaceName,
          ...(w.endpoint?.address ? { address: w.endpoint.address } : {}),
          ...(w.endpoint?.port ? { port: w.endpoint.port } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  private options(service: Service): { region: string; endpoint?: string } {
    const endpoint = this.env[CONTROL_PLANE_ENDPOINT_VARIABLES[service]];
    return { region: this.region, ...(endpoint ? { endpoint } : {}) };
  }

  private async client(service: Service, create: () => SdkClient): Promise<SdkClient> {
    const key = `${service}|${this.region}|${this.options(service).endpoint ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      client = create();
      clients.set(key, client);
    }
    return client;
  }

  /** The response, or undefined when the service does not know the identifier. */
  private async send(client: SdkClient, what: string, command: () => unknown): Promise<unknown> {
    try {
      return await this.deadline.run(what, (abortSignal) => client.send(command(), { abortSignal }), {
        context: this.context,
      });
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name && NOT_FOUND.has(e.name)) return undefined;
      if (e.name === 'DeadlineExceededError') throw error;
      // Control-plane error messages name resources, never secret values.
      throw new ControlPlaneError(
        `${what} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
        e.name ?? 'Error',
        this.context,
        { cause: error },
      );
    }
  }
}
