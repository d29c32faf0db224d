import { appendLedger, withLedgerTransaction } from '../../catalog/ledger';
import { finishRun, getRun, markVerification, saveResults, startRun } from '../../catalog/verification-repo';
import { RestorepointError } from '../../core/errors';
import type { RestoreOutcome } from '../../core/verification/table-verdict';
import type { VerifyExportInput } from '../../core/verification/verification-input';
import { summarizeResults, type VerificationReport } from '../../core/verification/verification-report';
import type { ActivityDeps } from '../deps';
import { corruptionAlertEntry, emitCorruptionAlert, countVerificationRun } from './corruption-alert';
import { scratchSchemaFor } from './scratch-schema';
import { finishedExport } from './verify-objects';

/** Where a restore-level run puts its scratch copy. */
export interface ScratchCopy {
  readonly target: string;
  readonly schema: string;
}

/** What the workflow needs to know about a run it has begun. */
export interface BegunVerification {
  readonly scratch: ScratchCopy;
  /** False for an incremental export: a delta is restored only on top of its chain, never alone. */
  readonly restorableAlone: boolean;
}

/** Catalog and ledger bookkeeping around a verification run; every step is idempotent. */
export function createVerificationLifecycleActivities(deps: ActivityDeps) {
  return {
    /** Records the run (status running, which retention reads as "being verified") and where a scratch copy would go. */
    async beginVerification(input: VerifyExportInput): Promise<BegunVerification> {
      const record = await finishedExport(deps, input.exportId);
      const incremental = input.incremental && input.level !== 'restore';
      // The run and its entry commit together: a re-run finds the run and writes no entry.
      await withLedgerTransaction(deps.catalog, async (trx) => {
        const { created } = await startRun(trx, { id: input.runId, exportId: input.exportId, level: input.level, requestedBy: input.requestedBy, incremental });
        if (created) {
          await appendLedger(trx, {
            actor: input.requestedBy,
            action: 'verification.started',
            subject: input.exportId,
            outcome: 'ok',
            details: { runId: input.runId, level: input.level, incremental },
          });
        }
      });
      return {
        scratch: { target: deps.config.verification.scratchTarget ?? record.source, schema: scratchSchemaFor(input.runId) },
        restorableAlone: record.mode === 'full',
      };
    },

    /** Records how the restore step went when it did not produce a scratch copy to compare. */
    async saveRestoreOutcome(input: { readonly runId: string; readonly outcome: RestoreOutcome }): Promise<void> {
      await saveResults(deps.catalog, input.runId, { restore: input.outcome });
    },

    /**
     * Ends a run that could not finish (a fault outlasted its retries). It proves nothing, so
     * the export's verification status is left as it was; the ledger says why.
     */
    async abandonVerification(input: Pick<VerifyExportInput, 'runId' | 'exportId' | 'requestedBy'> & { readonly error: string }): Promise<void> {
      await withLedgerTransaction(deps.catalog, async (trx) => {
        if (!(await finishRun(trx, input.runId, 'errored'))) return;
        await appendLedger(trx, { actor: input.requestedBy, action: 'verification.errored', subject: input.exportId, outcome: 'failed', details: { runId: input.runId, error: input.error } });
      });
    },

    /**
     * Ends the run: passed only if every verdict passed. Marks the export verified or
     * corrupt and writes the ledger in the same transaction as the run's end, so a retry
     * neither repeats nor loses them; a corrupt export also raises the alert.
     */
    async finishVerification(input: Pick<VerifyExportInput, 'runId' | 'exportId' | 'level' | 'requestedBy'>): Promise<VerificationReport> {
      const run = await getRun(deps.catalog, input.runId);
      if (!run) throw new RestorepointError('INPUT_INVALID', `no verification run "${input.runId}"`, { runId: input.runId });
      const results = { objects: run.results.objects ?? [], tables: run.results.tables ?? [], ...(run.results.restore ? { restore: run.results.restore } : {}) };
      const report = summarizeResults({ runId: run.id, exportId: run.exportId, level: run.level }, results);
      const ended = await withLedgerTransaction(deps.catalog, async (trx) => {
        if (!(await finishRun(trx, run.id, report.status))) return false;
        await markVerification(trx, run.exportId, report.status === 'passed' ? 'verified' : 'corrupt');
        await appendLedger(trx, {
          actor: input.requestedBy,
          action: 'verification.finished',
          subject: run.exportId,
          outcome: report.status,
          details: { runId: run.id, level: run.level, incremental: run.incremental, counts: report.counts, failures: report.messages.slice(0, 20), truncated: report.messages.length > 20 || report.truncated },
        });
        if (report.status === 'failed') await appendLedger(trx, corruptionAlertEntry(report, input.requestedBy));
        return true;
      });
      if (ended) {
        countVerificationRun(report);
        if (report.status === 'failed') emitCorruptionAlert(report);
      }
      return report;
    },
  };
}
