import { UsageError } from '../errors';
import { mergeTopology, readTopologyFile, type TopologyInput } from './topology';

/** Command-line flags that describe the control-plane topology, with their value syntax. */
export const TOPOLOGY_USAGE = `  --topology FILE           databases the emulated RDS, Redshift and Redshift Serverless APIs
                            report, as JSON: {"dbInstances":[{"id","engine","address","port",
                            "replicaOf"?,"cluster"?,"writer"?}],"dbClusters":[{"id","engine",
                            "address","port","readerEndpoint"?}],"redshiftClusters":[{"id",
                            "address","port"}],"workgroups":[{"id","namespace","address","port"}]}
  --db-instance ID=ENGINE@HOST:PORT          an RDS DB instance (repeatable)
  --read-replica ID=SOURCE@HOST:PORT         a read replica of DB instance SOURCE
  --db-cluster ID=ENGINE@HOST:PORT[,READER]  an Aurora/DocumentDB cluster, optional reader endpoint
  --cluster-instance ID=CLUSTER@HOST:PORT[,writer]  an instance of a cluster
  --redshift-cluster ID@HOST:PORT            a Redshift cluster
  --workgroup NAME=NAMESPACE@HOST:PORT       a Redshift Serverless workgroup and its namespace`;

const FLAGS = new Set([
  '--topology',
  '--db-instance',
  '--read-replica',
  '--db-cluster',
  '--cluster-instance',
  '--redshift-cluster',
  '--workgroup',
]);

export function isTopologyFlag(flag: string): boolean {
  return FLAGS.has(flag);
}

/** Adds what one flag describes to `topology` (a new object). `file` resolves --topology's path. */
export function addTopologyFlag(
  topology: TopologyInput,
  flag: string,
  text: string,
  file: (path: string) => string,
): TopologyInput {
  if (flag === '--topology') return mergeTopology(topology, readTopologyFile(file(text)));
  const m = /^(?:([^=@]+)=)?([^@]+)@(.+):(\d+)(?:,(.+))?$/.exec(text);
  const bad = () => new UsageError(`${flag} must look like ${syntax(flag)}, not "${text}".`);
  if (!m) throw bad();
  const [, id, what = '', address = '', portText = '', extra] = m;
  const port = Number(portText);
  switch (flag) {
    case '--db-instance':
      if (!id || extra) throw bad();
      return mergeTopology(topology, { dbInstances: [{ id, engine: what, address, port }] });
    case '--read-replica': {
      if (!id || extra) throw bad();
      const source = topology.dbInstances?.find((i) => i.id === what);
      if (!source) throw new UsageError(`${flag} ${text}: give --db-instance ${what} first.`);
      return mergeTopology(topology, {
        dbInstances: [{ id, engine: source.engine, address, port, replicaOf: what }],
      });
    }
    case '--db-cluster':
      if (!id) throw bad();
      return mergeTopology(topology, {
        dbClusters: [{ id, engine: what, address, port, ...(extra ? { readerEndpoint: extra } : {}) }],
      });
    case '--cluster-instance': {
      if (!id || (extra && extra !== 'writer')) throw bad();
      const cluster = topology.dbClusters?.find((c) => c.id === what);
      if (!cluster) throw new UsageError(`${flag} ${text}: give --db-cluster ${what} first.`);
      return mergeTopology(topology, {
        dbInstances: [
          { id, engine: cluster.engine, address, port, cluster: what, writer: extra === 'writer' },
        ],
      });
    }
    case '--redshift-cluster':
      if (id || extra) throw bad();
      return mergeTopology(topology, { redshiftClusters: [{ id: what, address, port }] });
    default:
      if (!id || extra) throw bad();
      return mergeTopology(topology, { workgroups: [{ id, namespace: what, address, port }] });
  }
}

function syntax(flag: string): string {
  return (
    {
      '--db-instance': 'ID=ENGINE@HOST:PORT',
      '--read-replica': 'ID=SOURCE@HOST:PORT',
      '--db-cluster': 'ID=ENGINE@HOST:PORT[,READER-ENDPOINT]',
      '--cluster-instance': 'ID=CLUSTER@HOST:PORT[,writer]',
      '--redshift-cluster': 'ID@HOST:PORT',
    }[flag] ?? 'NAME=NAMESPACE@HOST:PORT'
  );
}
