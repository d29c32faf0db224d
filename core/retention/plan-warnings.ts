import { groupBySource, type DatedExport } from './dated-export';
import type { ExportGraph } from './export-graph';
import type { PlannedExport, RetentionWarning } from './retention-plan';
import { coverageShortfall } from './restore-point';

/**
 * Kept deltas that cannot be restored, and sources in scope with no verified export to fall
 * back on: a verified partial export or safety snapshot does not count, it lacks tables.
 */
export function planWarnings(planned: readonly PlannedExport[], inScope: readonly DatedExport[], graph: ExportGraph): RetentionWarning[] {
  const inScopeIds = new Set(inScope.map(({ summary }) => summary.id));
  const broken = planned
    .filter((p) => inScopeIds.has(p.exportId) && p.action.kind !== 'delete' && p.status === 'succeeded' && p.mode === 'incremental')
    .flatMap((p): RetentionWarning[] => {
      const chain = graph.check(p.exportId);
      return chain.ok ? [] : [{ code: 'broken-chain', subject: p.exportId, message: `kept export ${p.exportId} cannot be restored: ${chain.problem}` }];
    });
  const unverified = [...groupBySource(inScope)].flatMap(([source, ofSource]): RetentionWarning[] => {
    const verified = ofSource.filter(({ summary: e }) => e.status === 'succeeded' && e.verificationStatus === 'verified');
    if (verified.some(({ summary: e }) => coverageShortfall(e, graph) === null)) return [];
    const message =
      verified.length === 0
        ? `source ${source} has no verified export in scope: verify one before trusting this policy`
        : `source ${source} has no verified export of every table in scope, only partial exports or safety snapshots: verify a full backup before trusting this policy`;
    return [{ code: 'no-verified-export', subject: source, message }];
  });
  return [...broken, ...unverified];
}
