import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_TARGETS, DOCKER_IMAGES, TARGET_NAMES } from '@rotor/testkit';
import { findRepoRoot } from '../../src/packaging/repo-root';

interface ComposeService {
  image?: string;
  ports: string[];
  healthcheck: boolean;
}

/**
 * Reads just what these tests need from docker/compose.yml, line by line: the services under
 * `services:` (two-space indent), their `image:`, `ports:` items and whether they have a
 * `healthcheck:`. The file is written in that plain block style on purpose.
 */
function readCompose(text: string): Map<string, ComposeService> {
  const services = new Map<string, ComposeService>();
  let inServices = false;
  let current: ComposeService | undefined;
  let inPorts = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      inServices = line.startsWith('services:');
      current = undefined;
      continue;
    }
    if (!inServices || line.trim() === '' || line.trim().startsWith('#')) continue;
    const service = /^ {2}([a-z0-9_-]+):\s*$/.exec(line);
    if (service) {
      current = { ports: [], healthcheck: false };
      services.set(service[1]!, current);
      continue;
    }
    if (current === undefined) continue;
    const property = /^ {4}([a-z_]+):\s*(.*)$/.exec(line);
    if (property) {
      inPorts = property[1] === 'ports';
      if (property[1] === 'image') current.image = property[2]!.trim();
      if (property[1] === 'healthcheck') current.healthcheck = true;
      continue;
    }
    const item = /^ {6}- "?([^"]*)"?\s*$/.exec(line);
    if (inPorts && item) current.ports.push(item[1]!);
  }
  return services;
}

const root = findRepoRoot(__dirname);
const compose = readCompose(readFileSync(join(root, 'docker', 'compose.yml'), 'utf8'));
const readme = readFileSync(join(root, 'docker', 'README.md'), 'utf8');

/** Host port a published port maps to by default: 127.0.0.1:${VAR:-5432}:5432 → 5432. */
function defaultHostPort(port: string): number {
  const m = /^127\.0\.0\.1:(?:\$\{[A-Z0-9_]+:-(\d+)\}|(\d+)):\d+$/.exec(port);
  if (!m) throw new Error(`port ${port} is not bound to 127.0.0.1`);
  return Number(m[1] ?? m[2]);
}

describe('docker/compose.yml', () => {
  it('has one service per testkit target with a Docker image, plus LocalStack', () => {
    expect([...compose.keys()].sort()).toEqual([...Object.keys(DOCKER_IMAGES), 'localstack'].sort());
  });

  it.each(Object.entries(DOCKER_IMAGES))('pins %s to the same image as the testkit', (name, image) => {
    expect(compose.get(name)?.image).toBe(image);
  });

  it('pins every image to a version tag and gives every service a health check', () => {
    for (const [name, service] of compose) {
      expect([name, service.image]).toEqual([name, expect.stringMatching(/:[0-9][\w.-]*$/)]);
      expect([name, service.healthcheck]).toEqual([name, true]);
    }
  });

  it('publishes ports on 127.0.0.1 only', () => {
    for (const service of compose.values()) {
      expect(service.ports.length).toBeGreaterThan(0);
      for (const port of service.ports) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('documents a test URL for every target, on the port the compose file publishes', () => {
    for (const name of TARGET_NAMES) {
      const target = DATABASE_TARGETS[name];
      const service = compose.get(name);
      if (service === undefined) continue; // no image (Redshift): nothing to point at
      const url = new RegExp(`export ${target.envVar}='([a-z]+)://[^@']+@127\\.0\\.0\\.1:(\\d+)[^']*'`).exec(
        readme,
      );
      expect([target.envVar, url?.[1] !== undefined && target.schemes.includes(url[1])]).toEqual([
        target.envVar,
        true,
      ]);
      expect(Number(url?.[2])).toBe(defaultHostPort(service.ports[0]!));
    }
  });
});
