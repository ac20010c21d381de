import { randomBytes } from 'node:crypto';

/** A password for a user the demo or the bench creates: 24 URL-safe characters, never printed. */
export function newPassword(): string {
  return `Rt-${randomBytes(18).toString('base64url')}`;
}
