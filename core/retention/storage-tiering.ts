import type { TieringPolicy } from './retention-policy';
import { isColder, type StorageClass } from './storage-class';
import { DAY_MS, describeDuration } from './utc-periods';

export interface TierMove {
  readonly to: StorageClass;
  readonly explanation: string;
}

/**
 * The colder class an export of this age belongs in, or null when it stays where it is:
 * too young, already as cold or colder, or kept on storage without classes.
 */
export function tierMove(current: StorageClass | null, ageMs: number, tiering: TieringPolicy): TierMove | null {
  if (current === null) return null;
  const steps: readonly (readonly [StorageClass, number | undefined])[] = [
    ['ARCHIVE', tiering.archiveAfterDays],
    ['COLDLINE', tiering.coldlineAfterDays],
    ['NEARLINE', tiering.nearlineAfterDays],
  ];
  // The coldest class whose threshold is passed; checked from cold to warm so unordered thresholds cannot warm anything.
  const reached = steps.find(([, afterDays]) => afterDays !== undefined && ageMs >= afterDays * DAY_MS);
  if (!reached || !isColder(reached[0], current)) return null;
  const [to, afterDays = 0] = reached;
  return { to, explanation: `${describeDuration(ageMs)} old, past the ${to} threshold of ${describeDuration(afterDays * DAY_MS)}: ${current} → ${to}` };
}
