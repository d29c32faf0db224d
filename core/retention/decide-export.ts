import type { ExportGraph } from './export-graph';
import type { ExportSummary } from './export-summary';
import type { PlannedExport } from './retention-plan';
import type { RetentionPolicy } from './retention-policy';
import { coverageShortfall } from './restore-point';
import type { RetentionReason } from './retention-rules';
import { tierMove } from './storage-tiering';
import { DAY_MS, describeDuration } from './utc-periods';

/**
 * Turns the rules that matched an export (in precedence order) into its action. Any match
 * keeps it; a kept export may still be tiered unless it is out of scope, busy or unfinished.
 * An export nothing matched is deleted, with the reason that best tells a person why.
 */
export function decideExport(e: ExportSummary, matched: readonly RetentionReason[], graph: ExportGraph, ageMs: number, policy: RetentionPolicy): PlannedExport {
  const base = { exportId: e.id, source: e.source, mode: e.mode, status: e.status, createdAt: e.createdAt };
  const [first, ...rest] = matched;
  if (first) {
    const tierable = first.code !== 'out-of-scope' && (e.status === 'succeeded' || e.status === 'failed') && !matched.some((r) => r.code === 'busy');
    const move = tierable ? tierMove(e.storageClass, ageMs, policy.tiering) : null;
    if (move && e.storageClass) {
      return { ...base, action: { kind: 'tier', from: e.storageClass, to: move.to }, rule: { code: 'tier-by-age', explanation: move.explanation }, alsoMatched: matched };
    }
    return { ...base, action: { kind: 'keep' }, rule: first, alsoMatched: rest };
  }
  return { ...base, action: { kind: 'delete' }, rule: whyDelete(e, graph, ageMs, policy), alsoMatched: [] };
}

function whyDelete(e: ExportSummary, graph: ExportGraph, ageMs: number, policy: RetentionPolicy): RetentionReason {
  const age = describeDuration(ageMs);
  if (e.status === 'failed') return { code: 'failed-export-cleanup', explanation: `failed ${age} ago: its partial objects and its row are removed` };
  if (e.verificationStatus === 'corrupt') return { code: 'corrupt', explanation: `failed verification and matched no keep rule (${age} old)` };
  const chain = graph.check(e.id);
  if (!chain.ok) return { code: 'broken-chain', explanation: `cannot be restored (${chain.problem}) and matched no keep rule` };
  if (e.role === 'safety-snapshot') {
    const kept = policy.safetySnapshotDays > 0 ? `past the ${describeDuration(policy.safetySnapshotDays * DAY_MS)} kept for \`rollback undo\`` : 'safetySnapshotDays is 0';
    return { code: 'safety-snapshot-expired', explanation: `a rollback's safety snapshot, ${age} old: ${kept}, and matched no keep rule` };
  }
  const shortfall = coverageShortfall(e, graph);
  if (shortfall !== null) return { code: 'partial-expired', explanation: `${age} old and matched no keep rule; never counted by keep-last or GFS: ${shortfall}` };
  return { code: 'expired', explanation: `${age} old and matched no keep rule` };
}
