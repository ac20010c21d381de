import type { RotationRules } from './secret-model';

const DAY = 86_400;
const HOUR = 3_600;

/** `rate(N days)` / `rate(N hours)`, the two units rotation schedules accept. */
const RATE_PATTERN = /^rate\((\d+) (day|days|hour|hours)\)$/;
const CRON_PATTERN = /^cron\(.+\)$/;

export function isValidScheduleExpression(expression: string): boolean {
  const rate = RATE_PATTERN.exec(expression);
  if (rate) return Number(rate[1]) > 0;
  return CRON_PATTERN.test(expression);
}

/**
 * When the next rotation is due, counted from `from` (the last rotation, or now). A cron schedule
 * is approximated as daily: evaluating cron expressions buys nothing for an emulator that never
 * rotates on its own, and the value only has to be present and in the future.
 */
export function nextRotationDate(rules: RotationRules | undefined, from: number): number | undefined {
  if (!rules) return undefined;
  if (rules.AutomaticallyAfterDays !== undefined) return from + rules.AutomaticallyAfterDays * DAY;
  if (rules.ScheduleExpression !== undefined) {
    const rate = RATE_PATTERN.exec(rules.ScheduleExpression);
    if (rate) return from + Number(rate[1]) * (rate[2]?.startsWith('hour') ? HOUR : DAY);
    return from + DAY;
  }
  return undefined;
}
