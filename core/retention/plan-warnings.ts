import { groupBySource, type DatedExport } from './dated-export';
import type { ExportGraph } from './export-graph';
import type { PlannedExport, RetentionWarning } from './retention-plan';

/** Kept deltas that cannot be restored, and sources in scope with no verified export to fall back on. */
export function planWarnings(planned: readonly PlannedExport[], inScope: readonly DatedExport[], graph: ExportGraph): RetentionWarning[] {
  const inScopeIds = new Set(inScope.map(({ summary }) => summary.id));
  const broken = planned
    .filter((p) => inScopeIds.has(p.exportId) && p.action.kind !== 'delete' && p.status === 'succeeded' && p.mode === 'incremental')
    .flatMap((p): RetentionWarning[] => {
      const chain = graph.check(p.exportId);
      return chain.ok ? [] : [{ code: 'broken-chain', subject: p.exportId, message: `kept export ${p.exportId} cannot be restored: ${chain.problem}` }];
    });
  const unverified = [...groupBySource(inScope)]
    .filter(([, ofSource]) => !ofSource.some(({ summary: e }) => e.status === 'succeeded' && e.verificationStatus === 'verified'))
    .map(([source]): RetentionWarning => ({
      code: 'no-verified-export',
      subject: source,
      message: `source ${source} has no verified export in scope: verify one before trusting this policy`,
    }));
  return [...broken, ...unverified];
}
