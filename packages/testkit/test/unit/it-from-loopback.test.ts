import { itFromLoopback } from '../../src/jest/loopback-client';

// A server published by globalSetup as seeing this client at the Docker bridge gateway: the test
// that needs loopback is registered as skipped (jest counts it) and one line says why.
const saved = { ...process.env };
const printed: string[] = [];
process.env.ROTOR_RESOLVED_MARIADB_URL = 'mysql://root:pw@127.0.0.1:1';
process.env.ROTOR_RESOLVED_MARIADB_CLIENT_HOST = '172.17.0.1';
const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
  printed.push(String(chunk));
  return true;
});
try {
  itFromLoopback('mariadb')('logs in as an account at localhost', () => {
    throw new Error('must not run');
  });
} finally {
  write.mockRestore();
  process.env = saved;
}

it('skips a loopback-only test where the server does not see loopback, with one line', () => {
  expect(printed).toEqual([
    'SKIP mariadb: logs in as an account at localhost: the server sees this client at 172.17.0.1, not loopback (a published container port?), so accounts at localhost/127.0.0.1 cannot log in\n',
  ]);
});
