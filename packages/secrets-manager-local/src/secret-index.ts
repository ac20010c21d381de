import { INVALID_NAME_MESSAGE, isValidSecretName, looksLikeCompleteArn } from './arn';
import { notFound, validationError } from './errors';
import type { StoredSecret } from './secret-model';

/** The secrets of one account and region, found by ARN or by name. */
export class SecretIndex {
  private readonly byArn = new Map<string, StoredSecret>();
  private readonly byName = new Map<string, StoredSecret>();

  /** `arnPrefix` is this account and region's secret ARN up to the name. */
  constructor(private readonly arnPrefix: string) {}

  all(): StoredSecret[] {
    return [...this.byArn.values()];
  }

  withArn(arn: string): StoredSecret | undefined {
    return this.byArn.get(arn);
  }

  withName(name: string): StoredSecret | undefined {
    return this.byName.get(name);
  }

  add(secret: StoredSecret): void {
    this.byArn.set(secret.arn, secret);
    this.byName.set(secret.name, secret);
  }

  remove(secret: StoredSecret): void {
    this.byArn.delete(secret.arn);
    this.byName.delete(secret.name);
  }

  replaceAll(secrets: readonly StoredSecret[]): void {
    this.byArn.clear();
    this.byName.clear();
    for (const secret of secrets) this.add(secret);
  }

  /** SecretId resolution in the service's order: full ARN, name, partial ARN (G3). */
  resolve(secretId: string): StoredSecret {
    if (!secretId.startsWith('arn:')) {
      if (!isValidSecretName(secretId)) throw validationError(INVALID_NAME_MESSAGE);
      const secret = this.byName.get(secretId);
      if (!secret) throw notFound();
      return secret;
    }
    const exact = this.byArn.get(secretId);
    if (exact) return exact;
    if (looksLikeCompleteArn(secretId) || !secretId.startsWith(this.arnPrefix)) throw notFound();
    const secret = this.byName.get(secretId.slice(this.arnPrefix.length));
    if (!secret) throw notFound();
    return secret;
  }

  /** Secrets whose recovery window has passed are gone for good; says whether any went. */
  purgeExpired(now: number): boolean {
    let purged = false;
    for (const secret of this.byArn.values()) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) {
        this.remove(secret);
        purged = true;
      }
    }
    return purged;
  }
}
