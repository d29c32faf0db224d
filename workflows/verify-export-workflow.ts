import { ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScratchCopy } from '../activities/verify/run-lifecycle';
import { verifyExportInputSchema, type VerifyExportInput, type VerifyExportRequest } from '../core/verification/verification-input';
import type { VerificationReport } from '../core/verification/verification-report';
import { dataActivity, shortActivity } from './activity-profiles';
import { authorizeOnExport, type StartAuth } from './authorize-step';

const catalog = proxyActivities<Activities>(shortActivity);
const data = proxyActivities<Activities>(dataActivity);

/**
 * Verifies one export at one level (docs/verification.md): every object read back and
 * compared with the catalog and the manifest (checksums), also decompressed and parsed
 * (decode), and also restored into a scratch schema and compared table by table (restore).
 * What it finds is data, returned and kept in the catalog; the export ends verified or
 * corrupt. Only faults that outlast their retries fail the workflow.
 */
export async function verifyExportWorkflow(request: VerifyExportRequest, auth?: StartAuth): Promise<VerificationReport> {
  const parsed = verifyExportInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid verification input: ${parsed.error.message}`, 'INPUT_INVALID');
  // Verifying is granted on the export's source; a scheduled run's child acts for the schedule's service identity.
  const caller = await authorizeOnExport(auth, 'verify', parsed.data.exportId, 'authorize-v2');
  const input = { ...parsed.data, requestedBy: caller.subject };
  const begun = await catalog.beginVerification(input);
  try {
    const found = await data.verifyExportObjects({
      runId: input.runId,
      exportId: input.exportId,
      level: input.level,
      incremental: input.incremental,
      ...(input.maxBytesPerSecond ? { maxBytesPerSecond: input.maxBytesPerSecond } : {}),
    });
    if (input.level === 'restore') {
      if (found.status === 'failed') {
        await catalog.saveRestoreOutcome({ runId: input.runId, outcome: { status: 'not attempted', reason: `${found.counts.failed} checks failed at the decode level` } });
      } else if (!begun.restorableAlone) {
        await catalog.saveRestoreOutcome({ runId: input.runId, outcome: { status: 'not attempted', reason: 'an incremental export is restored only on top of its chain; its parts were decoded' } });
      } else {
        await restoreAndCompare(input, begun.scratch);
      }
    }
    return await catalog.finishVerification(input);
  } catch (error) {
    await CancellationScope.nonCancellable(() => catalog.abandonVerification({ ...input, error: messageOf(error) }));
    throw error;
  }
}

/**
 * Restores the export as plain tables into a scratch schema, compares each table, and drops
 * the schema whatever happened. A restore refused because of what the export holds is a
 * verdict; one refused for any other reason (the target unreachable, no permission) is a fault.
 */
async function restoreAndCompare(input: VerifyExportInput, scratch: ScratchCopy): Promise<void> {
  // A crashed earlier attempt may have committed a copy before it could report.
  await catalog.dropScratchCopy(scratch);
  try {
    const restored = await data.restoreExport({
      restoreId: input.runId,
      exportId: input.exportId,
      target: scratch.target,
      targetSchema: scratch.schema,
      // The object phase has just read every part; the restore still checks each while loading.
      verifyFirst: false,
      // Re-verifying an export marked corrupt is how it can be found sound again.
      allowCorrupt: true,
      requestedBy: input.requestedBy,
    });
    await data.compareScratchCopy({ ...scratch, runId: input.runId, exportId: input.exportId, restoredRows: restored.rows });
  } catch (error) {
    const refusal = dataRefusal(error);
    if (!refusal) throw error;
    await catalog.saveRestoreOutcome({ runId: input.runId, outcome: { status: 'failed', ...scratch, ...refusal } });
  } finally {
    await CancellationScope.nonCancellable(() => catalog.dropScratchCopy(scratch));
  }
}

/** Failure types that mean the stored data is wrong, not that the restore could not run. */
const DATA_FAILURES = new Set(['CHECKSUM_MISMATCH', 'DATA_UNDECODABLE', 'MANIFEST_TAMPERED', 'OBJECT_MISSING', 'PARQUET_VALUE_UNREPRESENTABLE']);

function dataRefusal(error: unknown): { code: string; message: string } | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  const { type, message, details } = error.cause;
  if (type && DATA_FAILURES.has(type)) return { code: type, message };
  // The target refused the rows themselves: a data exception (22) or a broken constraint (23).
  const sqlState = (details?.[0] as { sqlState?: unknown } | undefined)?.sqlState;
  if (type === 'RESTORE_FAILED' && typeof sqlState === 'string' && /^2[23]/.test(sqlState)) return { code: `${type} (SQLSTATE ${sqlState})`, message };
  return undefined;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}
