import type { ServerAddress } from './database-server';
import { type DatabaseTarget, databaseTarget, type TargetName } from './database-targets';
import { DatabaseUrlError } from './errors';

/**
 * Reads a superuser URL such as `postgres://user:pass@host:5432/db` for a target. `variable` names where
 * the URL came from, for the error; the URL itself is never quoted back because it holds a password.
 */
export function parseDatabaseUrl(target: TargetName, value: string, variable: string): ServerAddress {
  const spec = databaseTarget(target);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new DatabaseUrlError(variable, `is not a URL; expected ${example(spec)}`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!spec.schemes.includes(scheme)) {
    const accepted = spec.schemes.map((s) => `${s}://`).join(' or ');
    throw new DatabaseUrlError(variable, `has scheme ${scheme}://; ${target} needs ${accepted}`);
  }
  if (url.hostname === '') {
    throw new DatabaseUrlError(variable, `has no host; expected ${example(spec)}`);
  }
  const user = decode(url.username, variable, 'user name');
  if (user === '') {
    throw new DatabaseUrlError(variable, `has no user name; expected ${example(spec)}`);
  }
  const port = url.port === '' ? spec.defaultPort : Number(url.port);
  const database = decode(url.pathname.replace(/^\//, ''), variable, 'database name');
  return {
    // URL keeps the brackets of an IPv6 literal; drivers want the bare address.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    user,
    password: decode(url.password, variable, 'password'),
    ...(database === '' ? {} : { database }),
  };
}

/** The URL the testkit hands to tests for a server, in the target's first scheme. */
export function formatDatabaseUrl(target: TargetName, address: ServerAddress): string {
  const spec = databaseTarget(target);
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const credentials = `${encodeURIComponent(address.user)}:${encodeURIComponent(address.password)}`;
  const path = address.database === undefined ? '' : `/${encodeURIComponent(address.database)}`;
  return `${spec.schemes[0]}://${credentials}@${host}:${address.port}${path}`;
}

function decode(part: string, variable: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new DatabaseUrlError(variable, `has a badly percent-encoded ${what}`);
  }
}

function example(spec: DatabaseTarget): string {
  return `${spec.schemes[0]}://user:password@host:${spec.defaultPort}`;
}
