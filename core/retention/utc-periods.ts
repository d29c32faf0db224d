/**
 * UTC calendar periods as integer indexes, so "the last D days" is a subtraction. Computed
 * from epoch milliseconds only: no time zones, no clock, the same answer in every process.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type PeriodKind = 'day' | 'week' | 'month' | 'year';

/** 1970-01-01 was a Thursday; shifting by three days makes each index start on a Monday. */
const MONDAY_SHIFT_DAYS = 3;

/** The index of the UTC period containing `ms`; consecutive periods have consecutive indexes. */
export function periodIndex(kind: PeriodKind, ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  const date = new Date(ms);
  switch (kind) {
    case 'day':
      return day;
    case 'week':
      return Math.floor((day + MONDAY_SHIFT_DAYS) / 7);
    case 'month':
      return date.getUTCFullYear() * 12 + date.getUTCMonth();
    case 'year':
      return date.getUTCFullYear();
  }
}

/** A person's name for the UTC period containing `ms`: `day 2026-11-20`, `week from Mon 2026-11-16`, `month 2026-11`, `year 2026`. */
export function periodLabel(kind: PeriodKind, ms: number): string {
  const iso = new Date(ms).toISOString();
  switch (kind) {
    case 'day':
      return `day ${iso.slice(0, 10)}`;
    case 'week': {
      const monday = (periodIndex('week', ms) * 7 - MONDAY_SHIFT_DAYS) * DAY_MS;
      return `week from Mon ${new Date(monday).toISOString().slice(0, 10)}`;
    }
    case 'month':
      return `month ${iso.slice(0, 7)}`;
    case 'year':
      return `year ${iso.slice(0, 4)}`;
  }
}

/** "40 minutes", "5.5 hours", "1 day": an age or threshold, rounded for reading. */
export function describeDuration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < HOUR_MS) return `${sign}${amount(Math.round(abs / 60_000), 'minute')}`;
  if (abs < DAY_MS) return `${sign}${amount(round1(abs / HOUR_MS), 'hour')}`;
  return `${sign}${amount(round1(abs / DAY_MS), 'day')}`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function amount(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
