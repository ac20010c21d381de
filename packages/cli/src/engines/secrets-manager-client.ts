import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerHttpOptions } from '@rotor/rotation-core';

export interface SecretsManagerClientOptions {
  readonly secretId: string;
  /** --endpoint; else SECRETS_MANAGER_ENDPOINT; else the SDK's regional endpoint. */
  readonly endpoint?: string;
  /** --region; else AWS_REGION / AWS_DEFAULT_REGION; else the region in the secret's ARN. */
  readonly region?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** As the rotation function's default ROTOR_CONNECT_TIMEOUT_MS. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The Secrets Manager client the commands use, resolved the way the rotation function resolves
 * its own, so a command run against the emulator or an account sees what the function would.
 */
export function secretsManagerClient(options: SecretsManagerClientOptions): SecretsManagerClient {
  const { env } = options;
  const endpoint = options.endpoint ?? (env.SECRETS_MANAGER_ENDPOINT?.trim() || undefined);
  const region =
    options.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    regionFromArn(options.secretId) ??
    'us-east-1';
  return new SecretsManagerClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    // An endpoint that does not connect or answer fails the command instead of hanging it.
    requestHandler: secretsManagerHttpOptions({ connectTimeoutMs: CONNECT_TIMEOUT_MS }),
    // A local emulator accepts any signature; without this, a machine with no AWS credentials
    // could not talk to it. Real credentials, when configured, are still used.
    ...(endpoint && isLoopback(endpoint) && !hasCredentialSettings(env)
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

export function regionFromArn(id: string): string | undefined {
  const parts = id.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || host.startsWith('127.');
  } catch {
    return false;
  }
}

function hasCredentialSettings(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE);
}
