import type { ManagedSuperuserOptions } from '@rotor/testkit';
import { documentDbEngine } from '../../src/documentdb-engine';

/**
 * The shared managed-superuser cases for DocumentDB: the resolutions its engine declares (DB
 * clusters), with the server under test reported by the emulator's RDS API as a cluster of engine
 * `docdb`, the value RDS gives DocumentDB clusters.
 */
export function documentDbManagedSuperuser(against: string): ManagedSuperuserOptions {
  return { resolutions: documentDbEngine.managedSecretResolutions ?? [], rdsEngine: 'docdb', against };
}
