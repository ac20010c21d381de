import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors';

/**
 * The databases the emulated control plane (RDS, Redshift, Redshift Serverless) reports, as the
 * user describes them: a JSON file with these keys, or command-line flags that add to it.
 */
export interface TopologyInput {
  dbInstances?: DbInstanceSpec[];
  dbClusters?: DbClusterSpec[];
  redshiftClusters?: EndpointSpec[];
  namespaces?: { name: string; id?: string }[];
  workgroups?: WorkgroupSpec[];
}

export interface EndpointSpec {
  id: string;
  address: string;
  port: number;
}

export interface DbInstanceSpec extends EndpointSpec {
  engine: string;
  /** The identifier of the instance this one is a read replica of. */
  replicaOf?: string;
  /** The cluster this instance belongs to; `writer` marks the cluster's writer. */
  cluster?: string;
  writer?: boolean;
}

export interface DbClusterSpec extends EndpointSpec {
  engine: string;
  readerEndpoint?: string;
}

export interface WorkgroupSpec extends EndpointSpec {
  namespace: string;
}

/** The topology with ARNs and the links (replicas, cluster members) filled in. */
export interface Topology {
  readonly dbInstances: readonly (DbInstanceSpec & { arn: string; replicas: string[] })[];
  readonly dbClusters: readonly (DbClusterSpec & {
    arn: string;
    members: { instance: string; writer: boolean }[];
  })[];
  readonly redshiftClusters: readonly (EndpointSpec & { arn: string })[];
  readonly namespaces: readonly { name: string; id: string; arn: string }[];
  readonly workgroups: readonly (WorkgroupSpec & { arn: string })[];
}

export function emptyTopology(): TopologyInput {
  return {};
}

/** Reads a topology file; a bad file is a UsageError naming the file and the problem. */
export function readTopologyFile(path: string): TopologyInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--topology ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`--topology ${path}: the file must hold a JSON object`);
  return parsed as TopologyInput;
}

/** Adds `extra` to `base` (flags after the file). */
export function mergeTopology(base: TopologyInput, extra: TopologyInput): TopologyInput {
  const keys = ['dbInstances', 'dbClusters', 'redshiftClusters', 'namespaces', 'workgroups'] as const;
  const out: TopologyInput = { ...base };
  for (const key of keys) {
    const list = [...(base[key] ?? []), ...(extra[key] ?? [])];
    if (list.length > 0) (out as Record<string, unknown>)[key] = list;
  }
  return out;
}

/** Validates the input and fills in ARNs and links. Problems are UsageErrors naming the entry. */
export function buildTopology(input: TopologyInput, region: string, accountId: string): Topology {
  const problem = (text: string) => new UsageError(`topology: ${text}`);
  const endpoint = (kind: string, e: Partial<EndpointSpec>) => {
    if (typeof e.id !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(e.id))
      throw problem(`${kind} needs an "id" (a letter, then letters, digits and hyphens)`);
    if (typeof e.address !== 'string' || e.address === '')
      throw problem(`${kind} ${e.id} needs an "address"`);
    if (!Number.isInteger(e.port) || (e.port as number) < 1 || (e.port as number) > 65535)
      throw problem(`${kind} ${e.id} needs a "port" (1-65535)`);
  };
  const unique = (kind: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id.toLowerCase())) throw problem(`two ${kind}s are named ${id}`);
      seen.add(id.toLowerCase());
    }
  };
  const instances = input.dbInstances ?? [];
  const clusters = input.dbClusters ?? [];
  for (const i of instances) {
    endpoint('DB instance', i);
    if (typeof i.engine !== 'string' || i.engine === '')
      throw problem(`DB instance ${i.id} needs an "engine"`);
  }
  for (const c of clusters) {
    endpoint('DB cluster', c);
    if (typeof c.engine !== 'string' || c.engine === '')
      throw problem(`DB cluster ${c.id} needs an "engine"`);
  }
  unique(
    'DB instance',
    instances.map((i) => i.id),
  );
  unique(
    'DB cluster',
    clusters.map((c) => c.id),
  );
  for (const i of instances) {
    if (i.replicaOf && !instances.some((s) => s.id === i.replicaOf))
      throw problem(`DB instance ${i.id} is a replica of ${i.replicaOf}, which is not in the topology`);
    if (i.cluster && !clusters.some((c) => c.id === i.cluster))
      throw problem(`DB instance ${i.id} is in cluster ${i.cluster}, which is not in the topology`);
  }
  for (const r of input.redshiftClusters ?? []) endpoint('Redshift cluster', r);
  const namespaces = (input.namespaces ?? []).map((n) => {
    if (typeof n.name !== 'string' || n.name === '') throw problem('a namespace needs a "name"');
    return { name: n.name, id: n.id ?? stableUuid(n.name) };
  });
  for (const w of input.workgroups ?? []) endpoint('workgroup', w);
  for (const w of input.workgroups ?? []) {
    if (!namespaces.some((n) => n.name === w.namespace))
      namespaces.push({ name: w.namespace, id: stableUuid(w.namespace) });
  }

  const rds = (kind: string, id: string) => `arn:aws:rds:${region}:${accountId}:${kind}:${id}`;
  return {
    dbInstances: instances.map((i) => ({
      ...i,
      arn: rds('db', i.id),
      replicas: instances.filter((r) => r.replicaOf === i.id).map((r) => r.id),
    })),
    dbClusters: clusters.map((c) => ({
      ...c,
      arn: rds('cluster', c.id),
      members: instances
        .filter((i) => i.cluster === c.id)
        .map((i) => ({ instance: i.id, writer: i.writer === true })),
    })),
    redshiftClusters: (input.redshiftClusters ?? []).map((r) => ({
      ...r,
      arn: `arn:aws:redshift:${region}:${accountId}:cluster:${r.id}`,
    })),
    namespaces: namespaces.map((n) => ({
      ...n,
      arn: `arn:aws:redshift-serverless:${region}:${accountId}:namespace/${n.id}`,
    })),
    workgroups: (input.workgroups ?? []).map((w) => ({
      ...w,
      arn: `arn:aws:redshift-serverless:${region}:${accountId}:workgroup/${stableUuid(`workgroup/${w.id}`)}`,
    })),
  };
}

/** A UUID-shaped id derived from a name, so ARNs stay the same across restarts. */
function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
