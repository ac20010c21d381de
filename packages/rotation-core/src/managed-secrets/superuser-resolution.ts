import type { DatabaseEngine } from '../engine';
import { type RotationErrorContext, UnsafeRotationError } from '../errors';
import { type DatabaseSecret, sameEndpoint, sameHost } from '../secret-value';
import type { ControlPlane, DbClusterInfo, DbInstanceInfo, EndpointInfo } from './control-plane';
import { ControlPlaneError, SuperuserResolutionError } from './resolution-errors';

/** The control-plane services (and SDK clients) the resolutions call. */
export type ControlPlaneService = 'rds' | 'redshift' | 'redshift-serverless';

/** The services an engine's resolutions call, sorted: what its zip and IAM role need. */
export function controlPlaneServices(resolutions: readonly ManagedSecretResolution[]): ControlPlaneService[] {
  const services = new Set<ControlPlaneService>();
  for (const r of resolutions) {
    services.add(
      r.startsWith('rds-') ? 'rds' : r === 'redshift-cluster' ? 'redshift' : 'redshift-serverless',
    );
  }
  return [...services].sort();
}

/** The APIs a superuser secret that the database service manages can be resolved through. */
export type ManagedSecretResolution =
  | 'rds-instance'
  | 'rds-cluster'
  | 'redshift-cluster'
  | 'redshift-serverless';

/** The tag the service puts on the secrets it manages, per resolution (keys compare case-insensitively). */
export const MANAGED_SECRET_TAGS: Readonly<Record<ManagedSecretResolution, string>> = {
  'rds-instance': 'aws:rds:primarydbinstancearn',
  'rds-cluster': 'aws:rds:primarydbclusterarn',
  'redshift-cluster': 'aws:redshift:primaryclusterarn',
  'redshift-serverless': 'aws:redshift-serverless:namespacearn',
};

// The AWS templates refuse longer tag values; so do we, before calling any API with one.
export const MAX_DATABASE_ARN_LENGTH = 256;

export interface SuperuserTarget {
  /** The superuser credentials with the host, port and engine to connect to. */
  readonly superuser: DatabaseSecret;
  readonly resolution: 'complete-secret' | ManagedSecretResolution;
  readonly tag?: { readonly key: string; readonly value: string };
  /** What the API found, for logs and `rotor doctor` (e.g. `RDS instance db-1 (postgres)`). */
  readonly found?: string;
  /** Set when the rotated secret's host is a read replica of the superuser's database. */
  readonly replica?: string;
}

export interface SuperuserResolutionInput {
  readonly superuserArn: string;
  /** The superuser secret as parsed (host '' when the secret has none). */
  readonly superuser: DatabaseSecret;
  /** The secret being rotated: its host must be the superuser's database or a read replica. */
  readonly user: DatabaseSecret;
  readonly engine: Pick<DatabaseEngine, 'family' | 'engineNames' | 'managedSecretResolutions'>;
  /** The superuser secret's DescribeSecret `Tags`; called only for a secret without a host. */
  readonly tags: () => Promise<readonly { readonly key: string; readonly value: string }[]>;
  /** The control plane of a region (the database ARN's, else the function's). */
  readonly controlPlane: (region: string | undefined) => ControlPlane;
  /** Ask RDS about a complete superuser secret's host even when it is not an `*.rds.amazonaws.com` name. */
  readonly anyHostMayBeRds?: boolean;
  readonly errorContext: RotationErrorContext;
}

type Primary =
  | { readonly kind: 'instance'; readonly info: DbInstanceInfo }
  | { readonly kind: 'cluster'; readonly info: DbClusterInfo };

/**
 * Where the superuser logs in. A secret with a host is used as it is; a `{username, password}`
 * secret (one RDS, Aurora, DocumentDB or Redshift manages) is resolved from its tag through the
 * service's API. When the rotated secret's host differs, it must be a read replica of the
 * superuser's database, matched against the endpoints the API returns.
 */
export async function resolveSuperuserTarget(input: SuperuserResolutionInput): Promise<SuperuserTarget> {
  const { superuser, user } = input;
  const supported = input.engine.managedSecretResolutions ?? [];
  if (superuser.host !== '') {
    const target: SuperuserTarget = { superuser, resolution: 'complete-secret' };
    // Host and port: two instances on one host are two databases.
    if (sameEndpoint(superuser, user)) return target;
    if (!supported.some((r) => r.startsWith('rds-')))
      throw notSameDatabase(
        input,
        `${superuser.host}:${superuser.port}`,
        `${input.engine.family} has no read replicas to match`,
      );
    // Only an RDS endpoint can have RDS read replicas; a self-hosted database costs no API call
    // (unless the RDS endpoint is overridden, as with the local emulator).
    if (!input.anyHostMayBeRds && !isRdsEndpoint(superuser.host))
      throw notSameDatabase(
        input,
        `${superuser.host}:${superuser.port}`,
        'it is not an RDS endpoint, so the rotated host cannot be its read replica',
      );
    let primary: Primary | undefined;
    try {
      primary = await primaryByEndpoint(input.controlPlane(undefined), superuser.host, supported);
    } catch (error) {
      // A database outside RDS, or a function without rds:Describe* permissions: the hosts
      // simply differ, as before replicas were accepted.
      if (!(error instanceof ControlPlaneError)) throw error;
      throw notSameDatabase(
        input,
        `${superuser.host}:${superuser.port}`,
        `RDS could not be asked whether it is a read replica (${error.detail})`,
      );
    }
    if (!primary)
      throw notSameDatabase(
        input,
        `${superuser.host}:${superuser.port}`,
        'no RDS DB instance or cluster has that endpoint',
      );
    return { ...target, found: describePrimary(primary), replica: await replicaOf(input, primary) };
  }

  const tag = await findTag(input, supported);
  const region = tag.value.split(':')[3] || undefined;
  const plane = input.controlPlane(region);
  const fail = (problem: 'not-found' | 'no-endpoint', message: string) =>
    new SuperuserResolutionError(
      `superuser secret ${input.superuserArn} (masterarn) is tagged ${tag.key}=${tag.value}, but ${message}`,
      problem,
      input.superuserArn,
      tag.key,
      input.errorContext,
    );

  let endpoint: EndpointInfo | undefined;
  let primary: Primary | undefined;
  let found: string;
  switch (tag.resolution) {
    case 'rds-instance': {
      const info = (await plane.describeDbInstances(tag.value))[0];
      if (!info) throw fail('not-found', 'RDS DescribeDBInstances finds no such DB instance');
      endpoint = info;
      primary = { kind: 'instance', info };
      found = describePrimary(primary);
      break;
    }
    case 'rds-cluster': {
      const info = (await plane.describeDbClusters(tag.value))[0];
      if (!info) throw fail('not-found', 'RDS DescribeDBClusters finds no such DB cluster');
      endpoint = info;
      primary = { kind: 'cluster', info };
      found = describePrimary(primary);
      break;
    }
    case 'redshift-cluster': {
      const name = tag.value.split(':').pop() ?? '';
      endpoint = (await plane.describeRedshiftClusters(name))[0];
      if (!endpoint) throw fail('not-found', `Redshift DescribeClusters finds no cluster ${name}`);
      found = `Redshift cluster ${endpoint.identifier}`;
      break;
    }
    case 'redshift-serverless': {
      const namespace = (await plane.listNamespaces()).find((n) => n.arn === tag.value);
      if (!namespace)
        throw fail('not-found', 'Redshift Serverless ListNamespaces has no namespace with that ARN');
      const workgroup = (await plane.listWorkgroups()).find((w) => w.namespaceName === namespace.name);
      if (!workgroup)
        throw fail(
          'not-found',
          `Redshift Serverless ListWorkgroups has no workgroup for namespace ${namespace.name}`,
        );
      endpoint = { identifier: workgroup.name, engine: 'redshift', ...addressOf(workgroup) };
      found = `Redshift Serverless workgroup ${workgroup.name} (namespace ${namespace.name})`;
      break;
    }
  }
  if (!endpoint.address || !endpoint.port) {
    throw fail('no-endpoint', `${found} has no endpoint yet (is it still being created?)`);
  }
  if (endpoint.engine && !input.engine.engineNames.includes(endpoint.engine)) {
    throw new SuperuserResolutionError(
      `superuser secret ${input.superuserArn} (masterarn) is tagged ${tag.key}=${tag.value}, which is ${found}, engine ${endpoint.engine}; this function rotates ${input.engine.engineNames.join(', ')}`,
      'wrong-engine',
      input.superuserArn,
      tag.key,
      input.errorContext,
    );
  }
  const resolved = withEndpoint(superuser, user, endpoint.address, endpoint.port, endpoint.engine);
  const target: SuperuserTarget = {
    superuser: resolved,
    resolution: tag.resolution,
    tag: { key: tag.key, value: tag.value },
    found,
  };
  if (sameEndpoint(resolved, user)) return target;
  if (!primary)
    throw notSameDatabase(input, `${resolved.host}:${resolved.port}`, `${found} has no read replicas`);
  return { ...target, replica: await replicaOf(input, primary) };
}

async function findTag(
  input: SuperuserResolutionInput,
  supported: readonly ManagedSecretResolution[],
): Promise<{ key: string; value: string; resolution: ManagedSecretResolution }> {
  const tags = await input.tags();
  const arn = input.superuserArn;
  const wanted = supported.map((r) => MANAGED_SECRET_TAGS[r]).join(' or ') || '(none for this engine)';
  const known = Object.entries(MANAGED_SECRET_TAGS) as [ManagedSecretResolution, string][];
  for (const t of tags) {
    const match = known.find(([, key]) => key === t.key.toLowerCase());
    if (!match) continue;
    const [resolution, key] = match;
    if (!supported.includes(resolution)) {
      throw new SuperuserResolutionError(
        `superuser secret ${arn} (masterarn) has no host and is tagged ${t.key}, which ${input.engine.family} does not resolve; it resolves ${wanted}`,
        'unsupported-tag',
        arn,
        t.key,
        input.errorContext,
      );
    }
    if (t.value.length > MAX_DATABASE_ARN_LENGTH) {
      throw new SuperuserResolutionError(
        `superuser secret ${arn} (masterarn): the value of tag ${t.key} is ${t.value.length} characters long; an ARN is at most ${MAX_DATABASE_ARN_LENGTH}`,
        'arn-too-long',
        arn,
        t.key,
        input.errorContext,
      );
    }
    if (!/^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+/.test(t.value)) {
      throw new SuperuserResolutionError(
        `superuser secret ${arn} (masterarn): the value of tag ${t.key} is not an ARN (${JSON.stringify(t.value)})`,
        'unsupported-tag',
        arn,
        t.key,
        input.errorContext,
      );
    }
    return { key, value: t.value, resolution };
  }
  throw new SuperuserResolutionError(
    `superuser secret ${arn} (masterarn) has no "host" key and no tag ${wanted} naming its database; add host and port to the secret, or use the secret the database service manages`,
    'missing-tag',
    arn,
    undefined,
    input.errorContext,
  );
}

/** The superuser secret with the API's endpoint; database name and TLS mode follow the user's secret. */
function withEndpoint(
  superuser: DatabaseSecret,
  user: DatabaseSecret,
  host: string,
  port: number,
  engine: string | undefined,
): DatabaseSecret {
  const dbname = superuser.dbname ?? user.dbname;
  const ssl = 'ssl' in superuser.fields ? superuser.ssl : user.ssl;
  const engineName = superuser.engine ?? engine;
  return {
    ...superuser,
    host,
    port,
    ssl,
    ...(engineName ? { engine: engineName } : {}),
    ...(dbname ? { dbname } : {}),
    fields: {
      ...superuser.fields,
      host,
      port,
      ...(engineName ? { engine: engineName } : {}),
      ...(dbname ? { dbname } : {}),
      ...('ssl' in user.fields && !('ssl' in superuser.fields) ? { ssl: user.fields.ssl } : {}),
    },
  };
}

async function primaryByEndpoint(
  plane: ControlPlane,
  host: string,
  supported: readonly ManagedSecretResolution[],
): Promise<Primary | undefined> {
  if (supported.includes('rds-instance')) {
    const info = (await plane.describeDbInstances()).find((i) => i.address && sameHost(i.address, host));
    if (info) return { kind: 'instance', info };
  }
  if (supported.includes('rds-cluster')) {
    const info = (await plane.describeDbClusters()).find((c) => c.address && sameHost(c.address, host));
    if (info) return { kind: 'cluster', info };
  }
  return undefined;
}

/** How the user's host is a read replica of `primary`; throws when it is not one. */
async function replicaOf(input: SuperuserResolutionInput, primary: Primary): Promise<string> {
  const host = input.user.host;
  const region = primary.info.arn?.split(':')[3] || undefined;
  const plane = input.controlPlane(region);
  const seen: string[] = [];
  if (primary.kind === 'cluster') {
    const cluster = primary.info;
    if (cluster.readerEndpoint) {
      if (sameHost(cluster.readerEndpoint, host))
        return `the reader endpoint of DB cluster ${cluster.identifier}`;
      seen.push(cluster.readerEndpoint);
    }
    for (const member of cluster.members.filter((m) => !m.isWriter)) {
      const address = (await plane.describeDbInstances(member.instanceIdentifier))[0]?.address;
      if (address && sameHost(address, host))
        return `reader instance ${member.instanceIdentifier} of DB cluster ${cluster.identifier}`;
      if (address) seen.push(address);
    }
  } else {
    for (const id of primary.info.readReplicaIdentifiers) {
      const address = (await plane.describeDbInstances(id))[0]?.address;
      if (address && sameHost(address, host))
        return `read replica ${id} of DB instance ${primary.info.identifier}`;
      if (address) seen.push(address);
    }
  }
  throw notSameDatabase(
    input,
    primary.info.address ?? '',
    seen.length > 0
      ? `${describePrimary(primary)} has read replicas only at ${seen.join(', ')}`
      : `${describePrimary(primary)} has no read replicas`,
  );
}

function notSameDatabase(
  input: SuperuserResolutionInput,
  superuserHost: string,
  why: string,
): UnsafeRotationError {
  return new UnsafeRotationError(
    `superuser secret ${input.superuserArn} (masterarn) is for ${superuserHost} but the rotated secret is for ${input.user.host}:${input.user.port}, and ${why}; the superuser must be for the same database or the primary of its read replica`,
    input.errorContext,
  );
}

function describePrimary(primary: Primary): string {
  const engine = primary.info.engine ? ` (${primary.info.engine})` : '';
  return primary.kind === 'instance'
    ? `RDS DB instance ${primary.info.identifier}${engine}`
    : `RDS DB cluster ${primary.info.identifier}${engine}`;
}

function addressOf(w: { address?: string; port?: number }): { address?: string; port?: number } {
  return { ...(w.address ? { address: w.address } : {}), ...(w.port ? { port: w.port } : {}) };
}

function isRdsEndpoint(host: string): boolean {
  return (
    /\.rds\.amazonaws\.com(\.cn)?\.?$/i.test(host) ||
    /\.rds\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\.?$/i.test(host)
  );
}
