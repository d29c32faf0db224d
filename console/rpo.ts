import type { Config } from '../config/schema';

/** Without a configured target, the source page calls a source stale after a day (its old, fixed line). */
export const DEFAULT_STALE_AFTER_MILLIS = 24 * 3600 * 1000;

/**
 * The last good export's age against the source's recovery point objective
 * (`sources.<name>.rpoTargetSeconds`, the target the `slo-rpo` alert uses): `none` when no
 * target is configured, `over` when there is no good export or it is older than the target.
 */
export interface RpoStanding {
  readonly targetMillis: number | null;
  readonly verdict: 'within' | 'over' | 'none';
}

export function rpoStanding(config: Config, source: string, goodAgeMillis: number | null): RpoStanding {
  const seconds = config.sources[source]?.rpoTargetSeconds;
  if (seconds === undefined) return { targetMillis: null, verdict: 'none' };
  const targetMillis = seconds * 1000;
  return { targetMillis, verdict: goodAgeMillis !== null && goodAgeMillis <= targetMillis ? 'within' : 'over' };
}
