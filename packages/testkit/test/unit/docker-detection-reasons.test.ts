import { explainNoDocker } from '../../src/docker-detection';

const generic = { kind: 'error', message: 'Could not find a working container runtime strategy' } as const;
const timeout = { kind: 'timeout', ms: 1_500 } as const;

describe('explainNoDocker', () => {
  it('says nothing more than "no Docker" when nothing suggests an engine', () => {
    expect(explainNoDocker({ outcome: generic })).toBeUndefined();
  });

  it('names a socket this user may not open', () => {
    expect(
      explainNoDocker({ outcome: generic, socket: { path: '/var/run/docker.sock', access: 'denied' } }),
    ).toBe('no permission on /var/run/docker.sock (EACCES): join the docker group or set DOCKER_HOST');
  });

  it('names a socket that does not answer, or how it failed', () => {
    const socket = { path: '/var/run/docker.sock', access: 'ok' } as const;
    expect(explainNoDocker({ outcome: timeout, socket })).toBe(
      '/var/run/docker.sock did not answer within 1.5 s',
    );
    expect(explainNoDocker({ outcome: { kind: 'error', message: 'connect ECONNREFUSED' }, socket })).toBe(
      '/var/run/docker.sock: connect ECONNREFUSED',
    );
  });

  it('names DOCKER_HOST first when it is set', () => {
    expect(
      explainNoDocker({
        outcome: timeout,
        dockerHost: 'tcp://127.0.0.1:2375',
        socket: { path: '/var/run/docker.sock', access: 'denied' },
      }),
    ).toBe('DOCKER_HOST tcp://127.0.0.1:2375 did not answer within 1.5 s');
  });

  it('points a docker context (Colima, Podman) at DOCKER_HOST', () => {
    expect(explainNoDocker({ outcome: generic, context: 'colima' })).toBe(
      'docker context "colima" is not read by testcontainers: set DOCKER_HOST to its endpoint',
    );
  });

  it('keeps an unexpected error and a timeout without any socket', () => {
    expect(explainNoDocker({ outcome: { kind: 'error', message: 'bad ~/.testcontainers.properties' } })).toBe(
      'bad ~/.testcontainers.properties',
    );
    expect(explainNoDocker({ outcome: timeout })).toBe('no Docker engine answered within 1.5 s');
  });
});
