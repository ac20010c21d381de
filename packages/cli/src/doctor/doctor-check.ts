/** The outcome of one `rotor doctor` check, as printed and as in --json. */
export interface DoctorCheck {
  /** Stable identifier for scripts: secret, dns, port, tls, login, superuser-secret, ... */
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** What was found (for a skip: why it did not run). Never a password or secret string. */
  readonly detail: string;
  /** What to change, for a failed check. */
  readonly fix?: string;
}

export interface DoctorReport {
  readonly secretId: string;
  readonly checks: readonly DoctorCheck[];
}

export const passed = (name: string, detail: string): DoctorCheck => ({ name, status: 'passed', detail });

export const failed = (name: string, detail: string, fix: string): DoctorCheck => ({
  name,
  status: 'failed',
  detail,
  fix,
});

export const skipped = (name: string, detail: string): DoctorCheck => ({ name, status: 'skipped', detail });
