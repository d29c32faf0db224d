import { openSharedSnapshot, type SharedSnapshot } from '../../postgres/snapshot';

interface Held {
  readonly snapshot: SharedSnapshot;
  readonly leader: import('pg').Client;
  readonly close: () => Promise<void>;
  releaseTimer?: NodeJS.Timeout;
}

/** How long a failed attempt's snapshot stays open for its retry to rejoin. */
const KEEP_FOR_RETRY_MS = 10 * 60 * 1000;
const held = new Map<string, Held>();

/**
 * Snapshots outlive a failed activity attempt inside this worker process, so a retry (after
 * a storage hiccup, say) rejoins the same snapshot and resumes after its last finished
 * part. A worker that dies takes its snapshots with it; the export then resumes under a
 * new snapshot (see table-unchanged).
 */
export async function acquireSnapshot(exportId: string, url: string): Promise<Held> {
  const existing = held.get(exportId);
  if (existing) {
    clearTimeout(existing.releaseTimer);
    return existing;
  }
  const opened = await openSharedSnapshot(url);
  const entry: Held = { ...opened };
  opened.leader.on('error', () => held.delete(exportId));
  held.set(exportId, entry);
  return entry;
}

export async function releaseSnapshot(exportId: string): Promise<void> {
  const entry = held.get(exportId);
  if (!entry) return;
  held.delete(exportId);
  clearTimeout(entry.releaseTimer);
  await entry.close().catch(() => undefined);
}

export function keepSnapshotForRetry(exportId: string): void {
  const entry = held.get(exportId);
  if (!entry) return;
  entry.releaseTimer = setTimeout(() => void releaseSnapshot(exportId), KEEP_FOR_RETRY_MS);
  entry.releaseTimer.unref();
}

/** Closes every held snapshot (worker shutdown). */
export async function releaseAllSnapshots(): Promise<void> {
  await Promise.all([...held.keys()].map(releaseSnapshot));
}
