import { DOCKER_IMAGES, type TargetName } from '../../src/database-targets';
import { containerHealthCheck, containerPlan, PULL_TIMEOUT_MS } from '../../src/docker-database';
import { DatabaseStartError } from '../../src/errors';

const targets = Object.keys(DOCKER_IMAGES) as TargetName[];

describe('containerPlan', () => {
  it('runs each pinned image with its superuser password, pull bounded', () => {
    for (const target of targets) {
      const plan = containerPlan(target, 'Rt9-secret');
      expect(plan.image).toBe(DOCKER_IMAGES[target]);
      expect(Object.values(plan.environment)).toContain('Rt9-secret');
      expect(plan.pullTimeoutMs).toBe(PULL_TIMEOUT_MS);
      expect(plan.pullTimeoutMs).toBeGreaterThan(0);
    }
  });

  it('gives health checks a start period as long as the startup timeout and a 1 s interval', () => {
    const checked = targets.filter((t) => containerPlan(t, 'pw').ready.kind === 'health');
    expect(checked).toEqual(['postgres', 'mariadb', 'mysql80', 'mysql84']);
    for (const target of checked) {
      const plan = containerPlan(target, 'pw');
      if (plan.ready.kind !== 'health') throw new Error('unreachable');
      expect(plan.ready.check).toMatchObject({ interval: 1_000, startPeriod: plan.startupTimeoutMs });
      expect(plan.ready.check.timeout).toBeGreaterThanOrEqual(plan.ready.check.interval);
    }
  });

  it('builds the health check options from the test and the timeout', () => {
    expect(containerHealthCheck(['CMD', 'x'], 60_000)).toEqual({
      test: ['CMD', 'x'],
      interval: 1_000,
      timeout: 3_000,
      retries: 3,
      startPeriod: 60_000,
    });
  });

  it('starts MariaDB without TLS and checks it with the image healthcheck', () => {
    const plan = containerPlan('mariadb', 'pw');
    expect(plan.command).toEqual(['--skip-ssl']);
    expect(plan.ready).toMatchObject({
      kind: 'health',
      check: { test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'] },
    });
  });

  it('runs SQL Server on linux/amd64, as docker/compose.yml does, and no other image on a set platform', () => {
    expect(containerPlan('sqlserver', 'pw').platform).toBe('linux/amd64');
    for (const target of targets.filter((t) => t !== 'sqlserver')) {
      expect([target, containerPlan(target, 'pw').platform]).toEqual([target, undefined]);
    }
  });

  it('waits for log lines where the image has no usable health check', () => {
    expect(containerPlan('sqlserver', 'pw').ready).toEqual({
      kind: 'log',
      line: /Recovery is complete/,
      times: 1,
    });
    expect(containerPlan('mongodb', 'pw').ready).toEqual({
      kind: 'log',
      line: /Waiting for connections/,
      times: 2,
    });
  });

  it('refuses a target without an image', () => {
    expect(() => containerPlan('redshift', 'pw')).toThrow(DatabaseStartError);
  });
});
