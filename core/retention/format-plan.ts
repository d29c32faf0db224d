import type { PlannedExport, RetentionPlan } from './retention-plan';

const HEADER = ['EXPORT', 'SOURCE', 'CREATED (UTC)', 'MODE', 'STATUS', 'DECISION', 'RULE', 'WHY'] as const;

/**
 * The plan as a text table for `restorepoint retention plan`: one line per export, newest
 * first within each source, with the deciding rule and its explanation, then the warnings.
 */
export function formatPlan(plan: RetentionPlan): string {
  const { keep, tier, delete: del, alreadyDeleted } = plan.totals;
  const title = `Retention plan at ${plan.now}: ${keep} keep, ${tier} tier, ${del} delete` + (alreadyDeleted > 0 ? ` (${alreadyDeleted} already deleted, not shown)` : '');
  const lines = [title];
  if (plan.exports.length > 0) lines.push('', ...table([HEADER, ...plan.exports.map(row)]));
  const orphans = plan.orphans ?? [];
  if (orphans.length > 0) {
    lines.push('', `Orphaned scratch files (left by killed exports, past the grace period): ${orphans.length}, removed by a run`);
    lines.push(...orphans.map((o) => `  - ${o.destination}/${o.name} (${o.bytes} bytes, last written ${formatInstant(o.modifiedAt)})`));
  }
  if (plan.warnings.length > 0) lines.push('', 'Warnings:', ...plan.warnings.map((w) => `  ! ${w.code} ${w.subject}: ${w.message}`));
  return lines.join('\n');
}

function row(p: PlannedExport): readonly string[] {
  const decision = p.action.kind === 'tier' ? `tier → ${p.action.to}` : p.action.kind;
  const others = p.alsoMatched.map((r) => r.code).join(', ');
  const why = others === '' ? p.rule.explanation : `${p.rule.explanation} (${p.action.kind === 'tier' ? 'kept by' : 'also'}: ${others})`;
  return [p.exportId, p.source, formatInstant(p.createdAt), p.mode, p.status, decision, p.rule.code, why];
}

/** `2026-11-20 04:00`: minutes are enough to tell exports apart in a table, and UTC avoids a time-zone column. */
function formatInstant(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : iso;
}

/** Left-aligned columns two spaces apart; the last column is not padded so lines carry no trailing blanks. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, col) => rows.reduce((widest, r) => Math.max(widest, r[col].length), 0));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join('  '));
}
