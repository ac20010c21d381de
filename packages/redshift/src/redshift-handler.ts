import {
  createRotationHandler,
  type RotationHandler,
  type RotationHandlerOptions,
  type StrategyName,
} from '@rotor/rotation-core';
import { RedshiftConfigurationError } from './errors';
import { redshiftEngine } from './redshift-engine';
import { redshiftSettingsProblems } from './redshift-password';

/**
 * The Lambda handler for Redshift: the rotation core's, after the checks the core cannot make
 * itself (see redshiftSettingsProblems), so a configuration that would generate passwords Redshift
 * refuses fails at cold start, naming the variable.
 */
export function createRedshiftRotationHandler(
  strategy: StrategyName,
  options: RotationHandlerOptions = {},
): RotationHandler {
  const problems = redshiftSettingsProblems(options.env ?? process.env);
  if (problems.length > 0) {
    throw new RedshiftConfigurationError(
      `invalid configuration for the redshift rotation function: ${problems.join('; ')}`,
    );
  }
  return createRotationHandler(redshiftEngine, strategy, options);
}
