import { Context } from '@temporalio/activity';
import { appendLedger } from '../../catalog/ledger';
import { addApplied, NOTHING_APPLIED, type RetentionApplied } from '../../core/retention-run-input';
import type { ActivityDeps } from '../deps';
import type { WorkflowProbe } from './busy-exports';
import { deleteExport } from './delete-export';
import { plannedEntries, setRetentionRunStatus } from '../../catalog/retention-runs-repo';
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
 * nothing that finished (see deleteExport and tierExport).
 */
export function createApplyRetentionBatchActivity(deps: ActivityDeps, probe: () => WorkflowProbe) {
  return async function applyRetentionBatch(batch: RetentionBatch): Promise<RetentionApplied> {
    await setRetentionRunStatus(deps.catalog, batch.planId, 'applying');
    const entries = await plannedEntries(deps.catalog, batch.planId, batch.kind, batch.offset, batch.limit);
    const workflows = probe();
    const beat = (): void => Context.current().heartbeat();
    let applied = NOTHING_APPLIED;
    for (const entry of entries) {
      const step = { planId: batch.planId, actor: batch.actor, entry };
      if (batch.kind === 'delete') {
        const outcome = await deleteExport(deps.catalog, deps.openStore, workflows, step, beat);
        applied = addApplied(applied, outcome.kind === 'deleted' ? { ...NOTHING_APPLIED, deleted: 1, objectsDeleted: outcome.objects, bytesDeleted: outcome.bytes } : { ...NOTHING_APPLIED, skipped: 1 });
      } else {
        const outcome = await tierExport(deps.catalog, deps.openStore, workflows, step, beat);
        applied = addApplied(applied, outcome.kind === 'tiered' ? { ...NOTHING_APPLIED, tiered: 1, objectsTiered: outcome.objects } : { ...NOTHING_APPLIED, skipped: 1 });
      }
      beat();
    }
    return applied;
  };
}

/** Records how a run ended, once: the catalog row and a `retention.finished` (or `.failed`) ledger entry. */
export function createFinishRetentionRunActivity(deps: ActivityDeps) {
  return async function finishRetentionRun(input: { readonly planId: string; readonly actor: string; readonly applied: RetentionApplied; readonly error?: string }): Promise<void> {
    const status = input.error === undefined ? 'finished' : 'failed';
    const changed = await setRetentionRunStatus(deps.catalog, input.planId, status, { ...input.applied, ...(input.error === undefined ? {} : { error: input.error }) });
    if (!changed) return;
    await appendLedger(deps.catalog, {
      actor: input.actor,
      action: `retention.${status}`,
      subject: input.planId,
      outcome: status === 'finished' ? 'ok' : 'failed',
      details: { ...input.applied, ...(input.error === undefined ? {} : { error: input.error }) },
    });
  };
}
