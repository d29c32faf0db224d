import { ActivityCancellationType, CancellationScope, condition, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ExportDataResult } from '../activities/export/export-data';
import type { ExportInput } from '../core/export-input';
import type { ExportRangePlan } from '../core/export-ranges';
import type { ManifestPart } from '../core/manifest';
import { dataActivity } from './activity-profiles';
import { exportRangesPlannedSignal, exportRangesQuery } from './messages';

const data = proxyActivities<Activities>(dataActivity);
/**
 * A range cancelled because its plan was replaced is waited for until it has stopped, so two
 * attempts never write one range's part objects at once (a range on a dead worker is given up
 * at its heartbeat timeout).
 */
const ranges = proxyActivities<Activities>({ ...dataActivity, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });

/**
 * The export's data activity as the holder of its snapshot, and each range it plans as an
 * activity of its own that any worker of the task queue takes (issue 16 item 3).
 *
 * - The holder signals a plan: its exported snapshot and the ranges. Each range activity joins
 *   that snapshot; the holder keeps it open and polls `exportRangesQuery` until all are done,
 *   then numbers the parts through in range order and writes the manifest.
 * - A plan under a new snapshot (the holder's worker died, its retry exported another) voids
 *   the old one: its ranges are cancelled and waited for, then all are read again under the
 *   new snapshot (each keeps the parts whose rows fingerprint the same). Ranges that could not
 *   join the old snapshot fail SNAPSHOT_GONE and wait for the new plan: no table mixes instants.
 * - A range that fails for good cancels the holder and fails the export.
 */
export async function exportDataAcrossWorkers(input: ExportInput): Promise<ExportDataResult> {
  let plan: ExportRangePlan | undefined;
  let finished = new Map<string, readonly ManifestPart[]>();
  setHandler(exportRangesPlannedSignal, (next) => {
    // The first plan of a snapshot stands: a retry in the holder's own worker may plan again under it.
    if (plan?.snapshotId !== next.snapshotId) plan = next;
  });
  setHandler(exportRangesQuery, () => ({
    snapshotId: plan?.snapshotId ?? null,
    ranges: (plan?.ranges ?? []).map((r) => ({ key: r.key, table: r.table, index: r.index, parts: finished.get(r.key) ?? null })),
  }));

  const holderScope = new CancellationScope();
  let holder: { result: ExportDataResult } | { error: unknown } | undefined;
  void holderScope.run(() => data.exportData(input)).then(
    (result) => (holder = { result }),
    (error: unknown) => (holder = { error }),
  );

  let running: { plan: ExportRangePlan; scope: CancellationScope; settled: Promise<void> } | undefined;
  let rangeFailure: { error: unknown } | undefined;
  const stopRanges = async () => {
    if (!running) return;
    running.scope.cancel();
    await running.settled;
  };
  for (;;) {
    await condition(() => holder !== undefined || rangeFailure !== undefined || (plan !== undefined && plan !== running?.plan));
    if (holder) break;
    if (rangeFailure) {
      holderScope.cancel();
      await condition(() => holder !== undefined);
      await stopRanges();
      throw rangeFailure.error;
    }
    await stopRanges();
    const current = plan!;
    const results = new Map<string, readonly ManifestPart[]>();
    finished = results;
    const scope = new CancellationScope();
    const settled = scope
      .run(() =>
        Promise.all(
          current.ranges.map((unit) =>
            ranges
              .exportRange({
                exportId: input.exportId,
                source: input.source,
                destination: input.destination,
                format: input.format,
                compression: input.compression,
                encrypt: input.encrypt,
                plan: { snapshotId: current.snapshotId, txidSnapshot: current.txidSnapshot, systemIdentifier: current.systemIdentifier, database: current.database, partSizeBytes: current.partSizeBytes, ...(current.maxBytesPerSecond ? { maxBytesPerSecond: current.maxBytesPerSecond } : {}) },
                unit,
              })
              .then(
                (parts) => void results.set(unit.key, parts),
                (error: unknown) => {
                  // Cancelled (its plan was replaced) or its snapshot gone (a new plan follows): not the export's failure.
                  if (isCancellation(error) || failureType(error) === 'SNAPSHOT_GONE') return;
                  rangeFailure ??= { error };
                },
              ),
          ),
        ),
      )
      .then(() => undefined);
    running = { plan: current, scope, settled };
  }
  // The holder is done: after a success every range has finished; after a failure some may still run.
  await stopRanges();
  if ('error' in holder) throw holder.error;
  return holder.result;
}

/** The failure type of an activity's failure (its cause's, as Temporal wraps it). */
function failureType(error: unknown): string | undefined {
  const cause = (error as { cause?: { type?: unknown } }).cause;
  return typeof cause?.type === 'string' ? cause.type : undefined;
}
