import { RestorepointError } from '../errors';
import { compareText, datedExports, groupBySource, newestFirst } from './dated-export';
import { decideExport } from './decide-export';
import { buildExportGraph } from './export-graph';
import type { ExportSummary } from './export-summary';
import { planWarnings } from './plan-warnings';
import type { PlannedExport, RetentionPlan } from './retention-plan';
import type { RetentionPolicy } from './retention-policy';
import { byPrecedence, type RetentionReason, type RetentionRuleCode } from './retention-rules';
import { outOfScope } from './retention-scope';
import { selectKeepers } from './select-keepers';
import { DAY_MS, describeDuration } from './utc-periods';

/**
 * Decides, for every export that still exists, whether to keep, delete or tier it, and which
 * rule decided. Pure and deterministic: the same exports (in any order), policy and `now`
 * give the same plan, so it may run inside a workflow.
 *
 * Whatever the policy, an export is never deleted when it is
 * - under legal hold, busy (being verified, restored or rolled back to), or read by a busy export's chain;
 * - running or requested (its workflow may still be writing);
 * - the newest verified export of its source in scope (and, if that one's chain is broken,
 *   also the newest verified one whose chain is intact);
 * - younger than `minAgeDays` (an export dated after `now` counts as new);
 * - an ancestor (parent chain or named base) of any export that is kept, in scope or not.
 * Corrupt, failed, unfinished and chain-broken exports never satisfy keep-last, GFS or
 * newest-verified. Nor do partial exports (`--tables`, `--exclude`), rollbacks' safety snapshots
 * or deltas built on either satisfy keep-last or GFS, since they restore only some tables: they
 * stay by the other rules, and a safety snapshot also for `safetySnapshotDays` (`rollback undo`
 * restores it). A failed export past the minimum age is deleted (`failed-export-cleanup`):
 * its partial objects and its row go, since nothing can restore from it. Busy exports and the
 * exports their chains read are never tiered either; tiering rewrites objects being read.
 *
 * Throws INPUT_INVALID for duplicate ids, an unparseable `createdAt` or an invalid `now`.
 */
export function planRetention(exports: readonly ExportSummary[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RestorepointError('INPUT_INVALID', 'retention was planned for an invalid date');
  const graph = buildExportGraph(exports);
  const live = datedExports(exports)
    .filter(({ summary }) => summary.status !== 'deleted')
    .sort(newestFirst);

  const reasons = new Map<string, RetentionReason[]>(live.map(({ summary }) => [summary.id, []]));
  const add = (id: string, code: RetentionRuleCode, explanation: string): void => {
    reasons.get(id)?.push({ code, explanation });
  };
  const has = (id: string, code: RetentionRuleCode): boolean => (reasons.get(id) ?? []).some((r) => r.code === code);

  const inScope = live.filter(({ summary }) => {
    const why = outOfScope(summary, policy.scope);
    if (why) add(summary.id, 'out-of-scope', `not governed by this policy: ${why}`);
    return why === null;
  });
  const inScopeIds = new Set(inScope.map(({ summary }) => summary.id));

  const minAgeMs = policy.minAgeDays * DAY_MS;
  const safetySnapshotMs = policy.safetySnapshotDays * DAY_MS;
  for (const { summary: e, at } of inScope) {
    if (e.legalHold) add(e.id, 'legal-hold', 'under legal hold');
    if (e.busy) add(e.id, 'busy', 'being read: verified, restored or rolled back to');
    if (e.status === 'running' || e.status === 'requested') add(e.id, 'in-progress', `${e.status}: its workflow may still be writing`);
    const age = nowMs - at;
    const young = age < 0 ? `created ${describeDuration(-age)} after the planning time` : `${describeDuration(age)} old`;
    // Only a finished snapshot can be restored by undo; a failed one is cleaned up like any failed export.
    if (e.role === 'safety-snapshot' && e.status === 'succeeded' && age < safetySnapshotMs) {
      add(e.id, 'safety-snapshot', `a rollback's safety snapshot, ${young}: kept ${describeDuration(safetySnapshotMs)} so \`rollback undo\` can restore it`);
    }
    if (age < minAgeMs) add(e.id, 'min-age', `${young}, younger than the minimum age of ${describeDuration(minAgeMs)}`);
  }
  for (const [source, ofSource] of groupBySource(inScope)) {
    for (const [id, matched] of selectKeepers(source, ofSource, graph, policy, nowMs)) reasons.get(id)?.push(...matched);
  }

  // Restoring a busy delta reads its whole chain, so the chain is in use too, even from outside the scope.
  const busy = live.filter(({ summary }) => summary.busy).map(({ summary }) => summary.id);
  for (const [id, busyId] of graph.dependencies(busy)) {
    if (inScopeIds.has(id) && !has(id, 'busy')) add(id, 'busy', `read while ${busyId} is verified or restored`);
  }
  // Roots are newest first, so each ancestor names the newest kept export that needs it.
  const kept = live.filter(({ summary }) => (reasons.get(summary.id) ?? []).length > 0).map(({ summary }) => summary.id);
  for (const [id, keptId] of graph.dependencies(kept)) {
    if (inScopeIds.has(id)) add(id, 'needed-by-chain', `needed to restore kept export ${keptId}`);
  }

  const planned = live.map(({ summary, at }) => decideExport(summary, [...(reasons.get(summary.id) ?? [])].sort(byPrecedence), graph, nowMs - at, policy));
  const count = (kind: PlannedExport['action']['kind']): number => planned.filter((p) => p.action.kind === kind).length;
  return {
    now: now.toISOString(),
    exports: [...planned].sort((a, b) => compareText(a.source, b.source)),
    warnings: planWarnings(planned, inScope, graph),
    totals: { keep: count('keep'), delete: count('delete'), tier: count('tier'), alreadyDeleted: exports.length - live.length },
  };
}
