import { join } from 'node:path';
import { parseCliOptions } from '../../src/cli-options';

const CWD = '/work/demo';

test('defaults: a free port on loopback, us-east-1, synchronous rotation, no lambdas', () => {
  expect(parseCliOptions([], CWD)).toEqual({
    port: 0,
    host: '127.0.0.1',
    region: 'us-east-1',
    accountId: '123456789012',
    rotation: 'sync',
    lambdas: [],
    topology: {},
    help: false,
  });
});

test('--lambda ARN=FILE#EXPORT resolves FILE against the working directory; --env attaches to the lambda before it', () => {
  const options = parseCliOptions(
    [
      '--lambda',
      'arn:aws:lambda:us-east-1:123456789012:function:a=handlers/a.js#rotate',
      '--env',
      'DB_HOST=localhost',
      '--env=EMPTY=',
      '--lambda=b=/abs/b.js',
      '--port=4566',
      '--host',
      '0.0.0.0',
      '--state',
      'state.json',
      '--rotation',
      'async',
    ],
    CWD,
  );
  expect(options.lambdas).toEqual([
    {
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:a',
      file: join(CWD, 'handlers/a.js'),
      exportName: 'rotate',
      env: { DB_HOST: 'localhost', EMPTY: '' },
    },
    { arn: 'b', file: '/abs/b.js', exportName: 'handler', env: {} },
  ]);
  expect(options).toMatchObject({
    port: 4566,
    host: '0.0.0.0',
    stateFile: join(CWD, 'state.json'),
    rotation: 'async',
  });
});

test.each([
  [['--port', '-1']],
  [['--port', '70000']],
  [['--port']],
  [['--lambda', '=file.js']],
  [['--lambda', 'arn=file.js#']],
  [['--env', 'X=1']],
  [['--lambda', 'a=f.js', '--env', 'novalue']],
  [['--rotation', 'later']],
  [['extra']],
])('refuses %j', (args) => {
  expect(() => parseCliOptions(args, CWD)).toThrow(expect.objectContaining({ name: 'UsageError' }));
});

test('--lambda with a zip takes Lambda handler strings and refuses a bare export name', () => {
  const options = parseCliOptions(
    ['--lambda', 'a=dist/rotor-postgres.zip#single-user.handler', '--lambda', 'b=x.ZIP#lib/alt.handler'],
    CWD,
  );
  expect(options.lambdas.map((l) => [l.file, l.exportName])).toEqual([
    [join(CWD, 'dist/rotor-postgres.zip'), 'single-user.handler'],
    [join(CWD, 'x.ZIP'), 'lib/alt.handler'],
  ]);
  for (const bad of [
    'a=dist/rotor-postgres.zip',
    'a=dist/rotor-postgres.zip#handler',
    'a=x.zip#single-user.',
  ])
    expect(() => parseCliOptions(['--lambda', bad], CWD)).toThrow(/handler string/);
});
