import { randomBytes } from 'node:crypto';

// MySQL user names stop at 32 characters and PostgreSQL identifiers at 63; 24 leaves room for suffixes a
// strategy appends to a user name (e.g. `_clone`).
const MAX_LENGTH = 24;
const RANDOM_LENGTH = 6;

/**
 * A short identifier no other test will pick: `prefix` (lower-cased, letters, digits and `_` only) plus
 * six random base-36 characters, e.g. `rot_app_k3x9q0`. Safe unquoted in PostgreSQL, MySQL and SQL Server.
 */
export function uniqueName(prefix: string): string {
  let clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(clean)) clean = `t_${clean}`;
  clean = clean.slice(0, MAX_LENGTH - RANDOM_LENGTH);
  return `${clean}${randomBase36(RANDOM_LENGTH)}`;
}

function randomBase36(length: number): string {
  let out = '';
  for (const byte of randomBytes(length)) out += (byte % 36).toString(36);
  return out;
}
