import { dockerPolicy } from '../../src/docker-policy';

describe('dockerPolicy', () => {
  it('skips on every Docker problem on a developer machine', () => {
    expect(dockerPolicy({})).toEqual({ requireDocker: false, failOnContainerError: false });
  });

  it('under CI fails on a container failure but still skips without Docker', () => {
    expect(dockerPolicy({ CI: 'true' })).toEqual({
      requireDocker: false,
      failOnContainerError: true,
      because: 'CI is set',
    });
    expect(dockerPolicy({ CI: '1' }).failOnContainerError).toBe(true);
  });

  it('treats an explicit no as unset', () => {
    for (const value of ['', '0', 'false', 'FALSE', 'no', 'off']) {
      expect([value, dockerPolicy({ CI: value, ROTOR_REQUIRE_DOCKER: value })]).toEqual([
        value,
        { requireDocker: false, failOnContainerError: false },
      ]);
    }
  });

  it('with ROTOR_REQUIRE_DOCKER=1 fails on both, CI or not', () => {
    expect(dockerPolicy({ ROTOR_REQUIRE_DOCKER: '1' })).toEqual({
      requireDocker: true,
      failOnContainerError: true,
      because: 'ROTOR_REQUIRE_DOCKER=1',
    });
    expect(dockerPolicy({ ROTOR_REQUIRE_DOCKER: '1', CI: 'true' }).because).toBe('ROTOR_REQUIRE_DOCKER=1');
  });
});
