import { Context } from '@temporalio/activity';
import { appendLedger, withLedgerTransaction } from '../../catalog/ledger';
import { isRestorepointError, isRetryableSqlState } from '../../core/errors';
import type { PlannedExport } from '../../core/retention';
import { addApplied, NOTHING_APPLIED, type RetentionApplied } from '../../core/retention-run-input';
import type { ActivityDeps } from '../deps';
import type { WorkflowProbe } from './busy-exports';
import { deleteExport } from './delete-export';
import { plannedEntries, plannedOrphans, setRetentionRunStatus, tallyRetentionRun } from '../../catalog/retention-runs-repo';
import { removeOrphans } from './orphans';
import { tierExport } from './tier-export';

export interface RetentionBatch {
  readonly planId: string;
  readonly kind: 'delete' | 'tier';
  /** Position among the plan's entries of this kind. */
  readonly offset: number;
  readonly limit: number;
  readonly actor: string;
}

/**
 * Carries out one batch of a stored plan. The entries are read from the catalog by position,
 * so only counts pass through the workflow; every step is idempotent, so a retried batch redoes
 * nothing that finished (see deleteExport and tierExport). An export whose row cannot be acted
 * on (a fault no retry fixes, such as a destination the store refuses) is skipped with a
 * `retention.skipped` entry naming the error, and the batch goes on; a passing fault (the store
 * or the catalog not answering) fails the batch for a retry.
 */
export function createApplyRetentionBatchActivity(deps: ActivityDeps, probe: () => WorkflowProbe) {
  return async function applyRetentionBatch(batch: RetentionBatch): Promise<RetentionApplied> {
    await setRetentionRunStatus(deps.catalog, batch.planId, 'applying');
    const entries = await plannedEntries(deps.catalog, batch.planId, batch.kind, batch.offset, batch.limit);
    const workflows = probe();
    const beat = (): void => Context.current().heartbeat();
    let applied = NOTHING_APPLIED;
    const apply = async (entry: PlannedExport): Promise<RetentionApplied> => {
      const step = { planId: batch.planId, actor: batch.actor, entry };
      if (batch.kind === 'delete') {
        const outcome = await deleteExport(deps.catalog, deps.openStore, workflows, step, beat);
        return outcome.kind === 'deleted' ? { ...NOTHING_APPLIED, deleted: 1, objectsDeleted: outcome.objects, bytesDeleted: outcome.bytes } : { ...NOTHING_APPLIED, skipped: 1 };
      }
      const outcome = await tierExport(deps.catalog, deps.openStore, workflows, step, beat);
      return outcome.kind === 'tiered' ? { ...NOTHING_APPLIED, tiered: 1, objectsTiered: outcome.objects } : { ...NOTHING_APPLIED, skipped: 1 };
    };
    for (const entry of entries) {
      try {
        applied = addApplied(applied, await apply(entry));
      } catch (error) {
        if (!isLastingFault(error)) throw error;
        const code = isRestorepointError(error) ? error.code : `SQLSTATE ${(error as { code: string }).code}`;
        await appendLedger(deps.catalog, {
          actor: batch.actor,
          action: 'retention.skipped',
          subject: entry.exportId,
          outcome: 'failed',
          details: { planId: batch.planId, planned: batch.kind, why: `its catalog row cannot be acted on: ${(error as Error).message}`, error: code },
        });
        applied = addApplied(applied, { ...NOTHING_APPLIED, skipped: 1 });
      }
      beat();
    }
    return applied;
  };
}

/** A fault that retrying cannot fix: a typed non-retryable error or a PostgreSQL error of that kind. */
function isLastingFault(error: unknown): boolean {
  if (isRestorepointError(error)) return !error.retryable;
  const sqlState = (error as { code?: unknown } | null)?.code;
  return typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) && !isRetryableSqlState(sqlState);
}

/** Removes the plan's orphaned scratch files that are still past the grace period (docs/retention.md). */
export function createRemoveOrphansActivity(deps: ActivityDeps) {
  return async function removePlannedOrphans(request: { readonly planId: string; readonly actor: string }): Promise<RetentionApplied> {
    const { orphans, now, graceHours } = await plannedOrphans(deps.catalog, request.planId);
    const cutoff = new Date(Date.parse(now) - graceHours * 3_600_000);
    const removed = await removeOrphans(deps, { ...request, orphans, cutoff }, () => Context.current().heartbeat());
    return { ...NOTHING_APPLIED, orphansRemoved: removed.removed, orphanBytesRemoved: removed.bytes };
  };
}

/**
 * Records how a run ended, once: the catalog row and a `retention.finished` (or `.failed`)
 * ledger entry, with what the run did counted from its ledger entries rather than from what
 * the workflow heard back (`applied`, kept for histories recorded before the count existed).
 * Returns that count.
 */
export function createFinishRetentionRunActivity(deps: ActivityDeps) {
  return async function finishRetentionRun(input: { readonly planId: string; readonly actor: string; readonly applied: RetentionApplied; readonly error?: string }): Promise<RetentionApplied> {
    const status = input.error === undefined ? 'finished' : 'failed';
    const applied = await tallyRetentionRun(deps.catalog, input.planId);
    const outcome = { ...applied, ...(input.error === undefined ? {} : { error: input.error }) };
    // The status and its entry commit together: a re-run finds the status set and writes no entry.
    await withLedgerTransaction(deps.catalog, async (trx) => {
      const changed = await setRetentionRunStatus(trx, input.planId, status, outcome);
      if (changed) {
        await appendLedger(trx, { actor: input.actor, action: `retention.${status}`, subject: input.planId, outcome: status === 'finished' ? 'ok' : 'failed', details: outcome });
      }
    });
    return applied;
  };
}
