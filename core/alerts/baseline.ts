/**
 * The learned baseline of one table and operation: per-window change counts over the last N
 * windows, summarized robustly (median and median absolute deviation), so one earlier accident
 * in the history does not raise the bar for the next. Pure.
 */
export interface Baseline {
  readonly median: number;
  readonly mad: number;
}

/**
 * `counts` are the earlier windows, oldest first. Windows before the first one with any change
 * are not counted: they were not observed as this table's traffic (the table was not tracked
 * yet, or its traffic had not started), so a table that became busy half an hour ago is judged
 * against its busy windows, not against an hour of zeros. No change at all: median 0.
 */
export function baselineOf(counts: readonly number[]): Baseline {
  const first = counts.findIndex((c) => c > 0);
  const observed = first === -1 ? [] : counts.slice(first);
  const median = medianOf(observed);
  return { median, mad: medianOf(observed.map((c) => Math.abs(c - median))) };
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The thresholds of accident detection (config `alerts`). */
export interface DetectionThresholds {
  readonly minChanges: number;
  readonly tableFraction: number;
  readonly baselineFactor: number;
}

/** MADs above the median a count must reach, besides `baselineFactor` times the median. */
const MAD_BAND = 10;
/** The MAD of a normal distribution is 0.6745 σ: scaled, the band is ten standard deviations. */
const MAD_TO_SIGMA = 1.4826;

export type Verdict =
  | { readonly anomalous: false }
  | { readonly anomalous: true; readonly limit: number; readonly reason: 'share-of-table' | 'above-baseline' };

/**
 * Whether one window's deletes or updates of a table are an accident. Three conditions, all
 * needed: at least `minChanges` (a quiet table never alerts on its first few deletes); more
 * than `baselineFactor` times the median window (a table that churns never alerts on its usual
 * volume); and either a `tableFraction` share of the table's rows or far above the baseline's
 * spread (median + 10 scaled MADs).
 */
export function judgeWindow(changes: number, tableRows: number, baseline: Baseline, t: DetectionThresholds): Verdict {
  const usual = Math.max(t.minChanges - 1, baseline.median * t.baselineFactor);
  const spread = baseline.median + MAD_BAND * MAD_TO_SIGMA * baseline.mad;
  if (changes <= usual) return { anomalous: false };
  // Rows before the window: the estimate may already count the deletes out, or not yet.
  if (changes >= t.tableFraction * Math.max(tableRows, changes)) return { anomalous: true, limit: usual, reason: 'share-of-table' };
  if (changes > spread) return { anomalous: true, limit: Math.max(usual, spread), reason: 'above-baseline' };
  return { anomalous: false };
}
