import { ApplicationFailure, CancellationScope, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { exportDataAcrossWorkers } from './export-range-scheduler';
import type { Activities } from '../activities';
import { failureSummary } from '../core/errors';
import { EMPTY_PROGRESS, type ExportProgress } from '../core/export-progress';
import { exportInputSchema, type ExportInput, type ExportRequest } from '../core/export-input';
import { describeScope, isPartialScope } from '../core/export-scope';
import type { ExportDataResult } from '../activities/export/export-data';
import { dataActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';
import { exportProgressQuery } from './messages';
import { markExport } from './search-attributes';
import { shortSteps } from './short-steps';

const data = proxyActivities<Activities>(dataActivity);

export interface ExportSummary {
  readonly exportId: string;
  readonly manifestKey: string;
  readonly manifestSha256: string;
  readonly tables: number;
  readonly rows: number;
  readonly bytes: number;
  readonly parts: number;
}

/**
 * A full export, with the source's change-trail head sealed just before its snapshot and
 * recorded, so the first incremental export of its chain knows where to start, and what it
 * holds (its tables, whether they were a selection, its role), so a chain starts only from an
 * export that holds what is asked of it.
 */
async function exportFull(input: ExportInput, catalog: Activities): Promise<ExportDataResult> {
  const position = await catalog.sealTrailForExport({ source: input.source });
  // A split table's ranges become activities any worker takes (the data activity holds the snapshot and plans them).
  const result = patched('export-ranges-as-activities') ? await exportDataAcrossWorkers({ ...input, rangeActivities: true }) : await data.exportData(input);
  await catalog.recordFullTrailPosition({
    exportId: input.exportId,
    destination: input.destination,
    manifestKey: result.manifestKey,
    manifestSha256: result.manifestSha256,
    position,
    role: input.role,
    // Narrowed by --schemas, --tables or --exclude it holds only part of the database: never a full restore point.
    partial: isPartialScope(input),
  });
  return result;
}

/**
 * One export: register it, then either stream every table (in one snapshot) to the
 * destination (`full`) or store the change-trail entries since the chain's previous export
 * (`incremental`), then record the manifest's hash in the catalog. Only names, counts and checksums pass
 * through here; rows go straight from PostgreSQL to storage inside the activity.
 */
export async function exportWorkflow(request: ExportRequest, auth?: StartAuth): Promise<ExportSummary> {
  const parsed = exportInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid export input: ${parsed.error.message}`, 'INPUT_INVALID');
  // A delta's parts are trail entries as JSON lines whatever format was asked for; the catalog says so.
  const asked: ExportInput = parsed.data.mode === 'incremental' ? { ...parsed.data, format: 'jsonl' } : parsed.data;
  // Decided once, before the first command: authorize, the scope check, begin, seal, record and finish all run one way.
  const catalog = shortSteps('export-short-steps-local');
  // Recorded as requested by the verified caller, never by the name in the input.
  const caller = await authorizeStart(auth, { permission: 'export', resource: asked.source, subject: asked.exportId }, 'authorize-v1', catalog);
  const input: ExportInput = { ...asked, requestedBy: caller.subject };
  // The per-table figures live in the data activity's heartbeats (client/exports.ts reads them); this says where the run is.
  let progress: ExportProgress = { ...EMPTY_PROGRESS, ...(input.mode === 'full' ? { scope: describeScope(input) } : {}) };
  setHandler(exportProgressQuery, () => progress);
  markExport(input);

  // Checked before the catalog hears of it: an unknown source or a pattern matching nothing records nothing.
  if (input.mode === 'full' && patched('export-scope-checked-first')) await catalog.checkScope(input);
  await catalog.beginExport(input);
  try {
    const result = input.mode === 'incremental' ? await data.exportDelta(input) : await exportFull(input, catalog);
    await catalog.finishExport({ exportId: input.exportId, actor: input.requestedBy, ...result });
    progress = { ...progress, stage: 'finished', rows: result.rows, bytes: result.bytes };
    return { exportId: input.exportId, ...result };
  } catch (error) {
    progress = { ...progress, stage: 'failed' };
    await CancellationScope.nonCancellable(() =>
      // The catalog keeps the cause (code and innermost message), not Temporal's "Activity task failed".
      catalog.failExport({ exportId: input.exportId, actor: input.requestedBy, message: `${failureSummary(error).code}: ${failureSummary(error).message}` }),
    );
    throw error;
  }
}
