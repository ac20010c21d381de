import type { Topology } from './topology';

/** A failure the service reports in its query-protocol error document. */
export class QueryServiceError extends Error {
  override readonly name = 'QueryServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export interface QueryService {
  readonly version: string;
  readonly namespace: string;
  readonly actions: Readonly<Record<string, (params: URLSearchParams, topology: Topology) => string>>;
}

const DEFAULT_PAGE = 100;

/** Pages through `items` as RDS and Redshift do: MaxRecords 20–100, an opaque Marker. */
function page<T>(items: readonly T[], params: URLSearchParams): { items: readonly T[]; marker?: string } {
  const raw = params.get('MaxRecords');
  let size = DEFAULT_PAGE;
  if (raw !== null) {
    size = Number(raw);
    if (!Number.isInteger(size) || size < 20 || size > 100)
      throw new QueryServiceError(
        'InvalidParameterValue',
        'Invalid value for MaxRecords. Must be between 20 and 100',
      );
  }
  const marker = params.get('Marker');
  let start = 0;
  if (marker) {
    start = Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length)
      throw new QueryServiceError('InvalidParameterValue', 'The marker is not valid.');
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { marker: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** An identifier parameter may be the name or the ARN (RDS accepts both). */
function byIdOrArn<T extends { id: string; arn: string }>(items: readonly T[], value: string): T | undefined {
  const v = value.toLowerCase();
  return items.find((i) => i.id.toLowerCase() === v || i.arn.toLowerCase() === v);
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const el = (name: string, value: string | number | boolean | undefined): string =>
  value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;

const list = (name: string, member: string, values: readonly string[]): string =>
  `<${name}>${values.map((v) => el(member, v)).join('')}</${name}>`;

export const RDS: QueryService = {
  version: '2014-10-31',
  namespace: 'http://rds.amazonaws.com/doc/2014-10-31/',
  actions: {
    DescribeDBInstances(params, topology) {
      const id = params.get('DBInstanceIdentifier');
      let found = topology.dbInstances;
      if (id) {
        const one = byIdOrArn(topology.dbInstances, id);
        if (!one) throw new QueryServiceError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
        found = [one];
      }
      const p = page(found, params);
      const body = p.items
        .map((i) => {
          const source = i.replicaOf ? topology.dbInstances.find((s) => s.id === i.replicaOf) : undefined;
          return `<DBInstance>${el('DBInstanceIdentifier', i.id)}${el('DBInstanceClass', 'db.t4g.micro')}${el('Engine', i.engine)}${el('DBInstanceStatus', 'available')}<Endpoint>${el('Address', i.address)}${el('Port', i.port)}</Endpoint>${list('ReadReplicaDBInstanceIdentifiers', 'ReadReplicaDBInstanceIdentifier', i.replicas)}${el('ReadReplicaSourceDBInstanceIdentifier', source?.id)}${el('DBClusterIdentifier', i.cluster)}${el('DBInstanceArn', i.arn)}</DBInstance>`;
        })
        .join('');
      return `<DBInstances>${body}</DBInstances>${el('Marker', p.marker)}`;
    },
    DescribeDBClusters(params, topology) {
      const id = params.get('DBClusterIdentifier');
      let found = topology.dbClusters;
      if (id) {
        const one = byIdOrArn(topology.dbClusters, id);
        if (!one) throw new QueryServiceError('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
        found = [one];
      }
      const p = page(found, params);
      const body = p.items
        .map(
          (c) =>
            `<DBCluster>${el('DBClusterIdentifier', c.id)}${el('Status', 'available')}${el('Endpoint', c.address)}${el('ReaderEndpoint', c.readerEndpoint)}${el('Engine', c.engine)}${el('Port', c.port)}<DBClusterMembers>${c.members
              .map(
                (m) =>
                  `<DBClusterMember>${el('DBInstanceIdentifier', m.instance)}${el('IsClusterWriter', m.writer)}</DBClusterMember>`,
              )
              .join('')}</DBClusterMembers>${el('DBClusterArn', c.arn)}</DBCluster>`,
        )
        .join('');
      return `<DBClusters>${body}</DBClusters>${el('Marker', p.marker)}`;
    },
  },
};

export const REDSHIFT: QueryService = {
  version: '2012-12-01',
  namespace: 'http://redshift.amazonaws.com/doc/2012-12-01/',
  actions: {
    DescribeClusters(params, topology) {
      const id = params.get('ClusterIdentifier');
      let found = topology.redshiftClusters;
      if (id) {
        // Redshift takes the identifier only, not an ARN; identifiers are lower case.
        const one = found.find((c) => c.id.toLowerCase() === id.toLowerCase());
        if (!one) throw new QueryServiceError('ClusterNotFound', `Cluster ${id} not found.`, 404);
        found = [one];
      }
      const p = page(found, params);
      const body = p.items
        .map(
          (c) =>
            `<Cluster>${el('ClusterIdentifier', c.id)}${el('ClusterStatus', 'available')}<Endpoint>${el('Address', c.address)}${el('Port', c.port)}</Endpoint>${el('ClusterNamespaceArn', c.arn)}</Cluster>`,
        )
        .join('');
      return `<Clusters>${body}</Clusters>${el('Marker', p.marker)}`;
    },
  },
};

/** The whole response document for one query-protocol request: status and XML. */
export function answerQuery(
  body: string,
  topology: Topology,
  requestId: string,
): { status: number; xml: string } {
  const params = new URLSearchParams(body);
  const action = params.get('Action') ?? '';
  const version = params.get('Version') ?? '';
  const service = [RDS, REDSHIFT].find((s) => s.version === version && action in s.actions);
  const namespace =
    service?.namespace ?? [RDS, REDSHIFT].find((s) => s.version === version)?.namespace ?? RDS.namespace;
  try {
    if (!service) {
      throw new QueryServiceError(
        'InvalidAction',
        `The action ${action || '(none)'} is not valid for this web service.`,
      );
    }
    const result = service.actions[action]?.(params, topology) ?? '';
    return {
      status: 200,
      xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result><ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
    };
  } catch (error) {
    if (!(error instanceof QueryServiceError)) throw error;
    return {
      status: error.statusCode,
      xml: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type>${el('Code', error.code)}${el('Message', error.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`,
    };
  }
}
