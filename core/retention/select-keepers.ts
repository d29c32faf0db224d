import type { DatedExport } from './dated-export';
import type { ExportGraph } from './export-graph';
import type { RetentionPolicy } from './retention-policy';
import { coverageShortfall, isRestorePoint } from './restore-point';
import type { RetentionReason, RetentionRuleCode } from './retention-rules';
import { periodIndex, periodLabel, type PeriodKind } from './utc-periods';

type Reasons = Map<string, RetentionReason[]>;

const GFS_LEVELS: readonly { readonly kind: PeriodKind; readonly level: keyof RetentionPolicy['gfs']; readonly code: RetentionRuleCode }[] = [
  { kind: 'day', level: 'daily', code: 'gfs-daily' },
  { kind: 'week', level: 'weekly', code: 'gfs-weekly' },
  { kind: 'month', level: 'monthly', code: 'gfs-monthly' },
  { kind: 'year', level: 'yearly', code: 'gfs-yearly' },
];

/**
 * The newest-verified, keep-last and GFS reasons for the in-scope exports of one source,
 * given newest first. Only restore points count for keep-last and GFS (succeeded, not
 * corrupt, intact chain, every table of the source): keeping an export that cannot be restored
 * would protect nothing, and counting a partial export or a rollback's safety snapshot would
 * push a full backup out of the window.
 */
export function selectKeepers(source: string, newestFirst: readonly DatedExport[], graph: ExportGraph, policy: RetentionPolicy, now: number): Reasons {
  const reasons: Reasons = new Map();
  const add = (id: string, code: RetentionRuleCode, explanation: string): void => {
    reasons.set(id, [...(reasons.get(id) ?? []), { code, explanation }]);
  };

  const verified = newestFirst.filter(({ summary: e }) => e.status === 'succeeded' && e.verificationStatus === 'verified');
  const newestVerified = verified[0];
  if (newestVerified) {
    add(newestVerified.summary.id, 'newest-verified', `newest verified export of source ${source}`);
    const newestCheck = graph.check(newestVerified.summary.id);
    // Its "verified" is stale if an ancestor has since failed re-verification: also keep the newest one that still restores.
    const intact = newestCheck.ok ? newestVerified : verified.find(({ summary: e }) => graph.check(e.id).ok);
    if (!newestCheck.ok && intact) {
      add(intact.summary.id, 'newest-verified', `newest verified export of source ${source} with an intact chain (${newestCheck.problem})`);
    }
    // A partial export or a safety snapshot restores only some tables: also keep the newest verified one that restores them all.
    const shortfall = intact ? coverageShortfall(intact.summary, graph) : null;
    const whole = shortfall === null ? undefined : verified.find(({ summary: e }) => isRestorePoint(e, graph));
    if (whole) add(whole.summary.id, 'newest-verified', `newest verified export of source ${source} that restores every table (${shortfall})`);
  }

  const restorePoints = newestFirst.filter(({ summary: e }) => isRestorePoint(e, graph));
  restorePoints.slice(0, policy.keepLast).forEach(({ summary: e }, i) => {
    add(e.id, 'keep-last', `#${i + 1} of the ${policy.keepLast} newest restore points of source ${source}`);
  });

  for (const { kind, level, code } of GFS_LEVELS) {
    const count = policy.gfs[level];
    if (count === 0) continue;
    const current = periodIndex(kind, now);
    const covered = new Set<number>();
    for (const { summary: e, at } of restorePoints) {
      const period = periodIndex(kind, at);
      const back = current - period;
      if (back < 0 || back >= count || covered.has(period)) continue;
      covered.add(period);
      add(e.id, code, `newest restore point of UTC ${periodLabel(kind, at)} (${level} for ${count} ${kind}s)`);
    }
  }
  return reasons;
}
