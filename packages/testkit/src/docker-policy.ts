// When a Docker problem skips an engine's tests and when it fails the run. Without Docker at all the
// tests skip (with the reason), even in CI: the project's own CI machine has none. Once Docker was
// found, a container that does not pull, start, turn healthy or accept its superuser fails the run in
// CI, so a broken container never gives a green job. ROTOR_REQUIRE_DOCKER=1 fails on both.

export interface DockerPolicy {
  /** ROTOR_REQUIRE_DOCKER=1: no usable Docker engine fails the run. */
  readonly requireDocker: boolean;
  /** CI or ROTOR_REQUIRE_DOCKER=1: a container failure after Docker was found fails the run. */
  readonly failOnContainerError: boolean;
  /** What set failOnContainerError, for the error message. */
  readonly because?: string;
}

export function dockerPolicy(env: NodeJS.ProcessEnv = process.env): DockerPolicy {
  const requireDocker = isOn(env.ROTOR_REQUIRE_DOCKER);
  const ci = isOn(env.CI);
  const because = requireDocker ? 'ROTOR_REQUIRE_DOCKER=1' : ci ? 'CI is set' : undefined;
  return { requireDocker, failOnContainerError: because !== undefined, ...(because ? { because } : {}) };
}

/** Set and not an explicit no: CI=true, CI=1, ROTOR_REQUIRE_DOCKER=1 are on; '', 0, false, no are off. */
function isOn(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !['', '0', 'false', 'no', 'off'].includes(value.trim().toLowerCase());
}
