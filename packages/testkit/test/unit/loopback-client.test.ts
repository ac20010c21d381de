import { isLoopbackHost, loopbackSkipReason } from '../../src/jest/loopback-client';
import { accountHost } from '../../src/server-version';

describe('loopback clients', () => {
  it('recognises loopback hosts', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['172.17.0.1', '10.0.0.5', '::ffff:172.17.0.1', 'gateway', '1270.0.0.1', ''])
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
  });

  it('reads the host part of USER(), whose user name may contain @', () => {
    expect(accountHost('root@172.17.0.1')).toBe('172.17.0.1');
    expect(accountHost('a@b@localhost')).toBe('localhost');
    expect(accountHost('root')).toBeUndefined();
  });

  it('gives one line of reason for a client the server sees off loopback', () => {
    expect(loopbackSkipReason('172.17.0.1')).toBe(
      'the server sees this client at 172.17.0.1, not loopback (a published container port?), so accounts at localhost/127.0.0.1 cannot log in',
    );
    expect(loopbackSkipReason('172.17.0.1')).not.toContain('\n');
  });

  it('has no reason to skip on loopback or when the server was not asked', () => {
    expect(loopbackSkipReason('127.0.0.1')).toBeUndefined();
    expect(loopbackSkipReason('localhost')).toBeUndefined();
    expect(loopbackSkipReason(undefined)).toBeUndefined();
  });
});
