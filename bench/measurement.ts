/** One contender's figures from one run. Sizes in bytes, times in milliseconds, RSS in KiB. */
export interface Measurement {
  readonly wallMs: number;
  /** user + sys CPU of the measured process and the children it waited for. */
  readonly cpuMs: number;
  /** user + sys CPU of the PostgreSQL backend that ran the work, when it could be read (bench/copy-format.ts). */
  readonly serverCpuMs?: number;
  readonly peakRssKb: number;
  /** For the long-lived worker: its RSS just before the work, so the work's own share shows. */
  readonly startRssKb?: number;
  /** Bytes the contender wrote (dump file, stored parts), when it writes any. */
  readonly outputBytes?: number;
  /** Rows it moved, when it reports them. */
  readonly rows?: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of each figure over runs (each figure on its own, as is usual for benchmarks). */
export function medianOf(runs: readonly Measurement[]): Measurement {
  const pick = (f: (m: Measurement) => number | undefined) => {
    const values = runs.map(f).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  return {
    wallMs: pick((m) => m.wallMs)!,
    cpuMs: pick((m) => m.cpuMs)!,
    serverCpuMs: pick((m) => m.serverCpuMs),
    peakRssKb: pick((m) => m.peakRssKb)!,
    startRssKb: pick((m) => m.startRssKb),
    outputBytes: pick((m) => m.outputBytes),
    rows: pick((m) => m.rows),
  };
}
