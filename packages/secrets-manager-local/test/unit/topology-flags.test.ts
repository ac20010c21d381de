import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliOptions } from '../../src/cli-options';
import { buildTopology } from '../../src/control-plane/topology';

const CWD = mkdtempSync(join(tmpdir(), 'rotor-topology-'));

test('flags describe instances, replicas, clusters and their members, Redshift and workgroups', () => {
  const { topology } = parseCliOptions(
    [
      '--db-instance',
      'db-1=postgres@127.0.0.1:5432',
      '--read-replica',
      'db-1-ro=db-1@127.0.0.2:5432',
      '--db-cluster',
      'aurora=aurora-mysql@w.example:3306,r.example',
      '--cluster-instance',
      'aurora-1=aurora@a1.example:3306,writer',
      '--cluster-instance',
      'aurora-2=aurora@a2.example:3306',
      '--redshift-cluster',
      'warehouse@wh.example:5439',
      '--workgroup',
      'wg=ns@wg.example:5439',
    ],
    CWD,
  );
  const built = buildTopology(topology, 'eu-west-1', '111122223333');
  expect(built.dbInstances.map((i) => [i.id, i.engine, i.replicaOf ?? null, i.replicas])).toEqual([
    ['db-1', 'postgres', null, ['db-1-ro']],
    ['db-1-ro', 'postgres', 'db-1', []],
    ['aurora-1', 'aurora-mysql', null, []],
    ['aurora-2', 'aurora-mysql', null, []],
  ]);
  expect(built.dbClusters[0]).toMatchObject({
    arn: 'arn:aws:rds:eu-west-1:111122223333:cluster:aurora',
    readerEndpoint: 'r.example',
    members: [
      { instance: 'aurora-1', writer: true },
      { instance: 'aurora-2', writer: false },
    ],
  });
  expect(built.redshiftClusters[0]?.arn).toBe('arn:aws:redshift:eu-west-1:111122223333:cluster:warehouse');
  expect(built.namespaces.map((n) => n.name)).toEqual(['ns']);
});

test('--topology reads a JSON file, and flags add to it', () => {
  const file = join(CWD, 'topology.json');
  writeFileSync(
    file,
    JSON.stringify({ dbInstances: [{ id: 'a', engine: 'mysql', address: 'h', port: 3306 }] }),
  );
  const { topology } = parseCliOptions(['--topology', 'topology.json', '--read-replica', 'b=a@h2:3306'], CWD);
  expect(topology.dbInstances?.map((i) => i.id)).toEqual(['a', 'b']);
});

test('malformed values and dangling references are usage errors naming the flag', () => {
  expect(() => parseCliOptions(['--db-instance', 'db-1@h:1'], CWD)).toThrow(
    /--db-instance must look like ID=ENGINE@HOST:PORT/,
  );
  expect(() => parseCliOptions(['--read-replica', 'r=nope@h:1'], CWD)).toThrow(
    /give --db-instance nope first/,
  );
  expect(() => parseCliOptions(['--topology', 'missing.json'], CWD)).toThrow(/--topology .*missing.json/);
  expect(() =>
    buildTopology({ dbInstances: [{ id: 'x', engine: 'postgres', address: 'h', port: 0 }] }, 'r', 'a'),
  ).toThrow(/DB instance x needs a "port"/);
});
