import { Context } from '@temporalio/activity';
import { appendLedger, withLedgerTransaction } from '../../catalog/ledger';
import { RestorepointError } from '../../core/errors';
import { ALL_RECOVERY_FEATURES, featuresRefusing, RECOVERY_FEATURE_LABELS } from '../../core/rollback/recovery-features';
import { rollbackInputSchema, type RollbackRequest } from '../../core/rollback/rollback-input';
import type { ApprovalPolicy } from '../../core/rollback/approval-policy';
import type { ActivityDeps } from '../deps';
import { insertRollback, updateRollback, type RollbackChanges } from './rollback-records';

export interface RollbackStep {
  readonly rollbackId: string;
  readonly actor: string;
  /** Dotted, e.g. `rollback.approved`, `rollback.apply.finished`. */
  readonly action: string;
  readonly outcome: 'ok' | 'failed' | 'refused' | 'cancelled';
  readonly details?: Readonly<Record<string, unknown>>;
  readonly changes?: RollbackChanges;
}

export function createRollbackStepActivities(deps: ActivityDeps) {
  return {
    /** The approval policy of this worker's config: approvers are decided where the data is, not by the caller. */
    async rollbackPolicy(): Promise<ApprovalPolicy> {
      return deps.config.approval;
    },

    /**
     * Registers the rollback in the catalog (once) and writes `rollback.requested`; then, when the
     * source's feature flags switch this flow off, writes `rollback.refused` and throws
     * FEATURE_DISABLED before anything is read or changed.
     */
    async registerRollback(request: RollbackRequest): Promise<void> {
      const input = rollbackInputSchema.parse(request);
      // The row and its entry commit together: a re-run finds the row and writes no entry.
      await withLedgerTransaction(deps.catalog, async (trx) => {
        if (await insertRollback(trx, input)) {
          await appendLedger(trx, {
            actor: input.requestedBy,
            action: 'rollback.requested',
            subject: input.rollbackId,
            outcome: 'ok',
            details: { source: input.source, target: input.target, tables: input.tables, keys: input.keys, where: input.where, mode: input.mode, reason: input.reason, undoOf: input.undoOf ?? null },
          });
        }
      });
      const refusing = featuresRefusing(deps.config.sources[input.source]?.features ?? ALL_RECOVERY_FEATURES, input);
      if (refusing.length === 0) return;
      const details = { source: input.source, disabled: refusing };
      await appendLedger(deps.catalog, { actor: input.requestedBy, action: 'rollback.refused', subject: input.rollbackId, outcome: 'refused', details });
      const what = `${refusing.map((f) => RECOVERY_FEATURE_LABELS[f]).join(' and ')} ${refusing.length > 1 ? 'are' : 'is'}`;
      const flags = refusing.map((f) => `sources.${input.source}.features.${f}`).join(', ');
      throw new RestorepointError('FEATURE_DISABLED', `${what} switched off for source "${input.source}" (${flags} is false in the worker's config); nothing was changed`, details);
    },

    /**
     * One ledger entry per rollback step, and the catalog row brought up to date with it. The
     * entry names the workflow's call (`step`: run id and activity id, the same in every attempt),
     * so an attempt that committed but whose completion was lost (its worker died) is not
     * written twice when the step runs again.
     */
    async recordRollbackStep(step: RollbackStep): Promise<void> {
      const { workflowExecution, activityId } = Context.current().info;
      const details = { ...step.details, step: `${workflowExecution?.runId ?? '-'}/${activityId}` };
      await withLedgerTransaction(deps.catalog, async (trx) => {
        await appendLedger(trx, { actor: step.actor, action: step.action, subject: step.rollbackId, outcome: step.outcome, details }, { once: true });
        if (step.changes) await updateRollback(trx, step.rollbackId, step.changes);
      });
    },
  };
}
