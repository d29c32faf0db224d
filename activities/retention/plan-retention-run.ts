import { RestorepointError } from '../../core/errors';
import { planRetention, retentionPolicySchema, type RetentionPolicy } from '../../core/retention';
import { findOrphans, orphanCutoff } from './orphans';
import type { RetentionRunInput } from '../../core/retention-run-input';
import { appendLedger, withLedgerTransaction } from '../../catalog/ledger';
import type { ActivityDeps } from '../deps';
import type { WorkflowProbe } from './busy-exports';
import { findBusyExports } from './busy-exports';
import { loadExportSummaries } from './export-summaries';
import { saveRetentionRun, setRetentionRunStatus } from '../../catalog/retention-runs-repo';

export interface PlanRetentionRunInput extends Pick<RetentionRunInput, 'policy' | 'dryRun' | 'requestedBy'> {
  readonly planId: string;
}

/** What the workflow needs to drive the run: counts, never the plan's entries. */
export interface PlannedRun {
  readonly planId: string;
  readonly totals: { readonly keep: number; readonly delete: number; readonly tier: number; readonly alreadyDeleted: number };
  readonly warnings: number;
  /** Scratch files of killed exports the run removes after its deletions and tiering. */
  readonly orphans: number;
}

/**
 * Plans a retention run over every export in the catalog and stores the plan under `planId`.
 * A retry returns the plan stored first, so a run never executes a plan it did not record.
 */
export function createPlanRetentionRunActivity(deps: ActivityDeps, probe: () => WorkflowProbe) {
  return async function planRetentionRun(input: PlanRetentionRunInput): Promise<PlannedRun> {
    const policy = resolvePolicy(input.policy, deps.config.retention);
    const busy = await findBusyExports(deps.catalog, probe());
    const { summaries, badRows } = await loadExportSummaries(deps.catalog, new Set(busy.map((b) => b.exportId)));
    const now = deps.clock();
    const planned = planRetention(summaries, policy, now);
    const orphans = await findOrphans(deps, orphanCutoff(now, policy));
    const plan = { ...planned, warnings: [...planned.warnings, ...badRows, ...orphans.warnings], orphans: orphans.found };
    // The plan and its entry commit together: a re-run finds the plan and writes no entry.
    const { run } = await withLedgerTransaction(deps.catalog, async (trx) => {
      const saved = await saveRetentionRun(trx, { id: input.planId, dryRun: input.dryRun, requestedBy: input.requestedBy, policy, plan });
      if (saved.created) {
        await appendLedger(trx, {
          actor: input.requestedBy,
          action: 'retention.planned',
          subject: input.planId,
          outcome: 'ok',
          details: { dryRun: input.dryRun, totals: plan.totals, orphans: plan.orphans.length, warnings: plan.warnings.map((w) => `${w.code} ${w.subject}`), busy: busy.map((b) => `${b.exportId} (${b.what})`) },
        });
      }
      return saved;
    });
    if (input.dryRun) await setRetentionRunStatus(deps.catalog, input.planId, 'finished', null);
    return { planId: run.id, totals: run.plan.totals, warnings: run.plan.warnings.length, orphans: run.plan.orphans?.length ?? 0 };
  };
}

/** The request's policy, else the config's; neither is a configuration error, not a silent no-op. */
function resolvePolicy(requested: unknown, configured: unknown): RetentionPolicy {
  const chosen = requested ?? configured;
  if (chosen === undefined) {
    throw new RestorepointError('CONFIG_INVALID', 'no retention policy: set the `retention` key in the config, or pass one (--policy <file>)');
  }
  const parsed = retentionPolicySchema.safeParse(chosen);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RestorepointError('INPUT_INVALID', `invalid retention policy (${requested === undefined ? 'config key retention' : 'request'}): ${issues.join('; ')}`, { issues });
  }
  return parsed.data;
}
