import { RestorepointError } from '../errors';
import type { ExportSummary } from './export-summary';

/** An export with its creation time parsed once. */
export interface DatedExport {
  readonly summary: ExportSummary;
  readonly at: number;
}

/** Parses every `createdAt`; throws INPUT_INVALID for an unreadable one or an id listed twice. */
export function datedExports(exports: readonly ExportSummary[]): DatedExport[] {
  const seen = new Set<string>();
  return exports.map((summary) => {
    if (seen.has(summary.id)) throw new RestorepointError('INPUT_INVALID', `export ${summary.id} appears twice in the retention input`, { exportId: summary.id });
    seen.add(summary.id);
    const at = Date.parse(summary.createdAt);
    if (!Number.isFinite(at)) throw new RestorepointError('INPUT_INVALID', `export ${summary.id} has an unreadable createdAt`, { exportId: summary.id });
    return { summary, at };
  });
}

/** Newest first; ties (same millisecond) broken by id so input order never matters. */
export function newestFirst(a: DatedExport, b: DatedExport): number {
  return b.at - a.at || compareText(b.summary.id, a.summary.id);
}

/** Groups keep the order they are given in; sources come out in name order. */
export function groupBySource(exports: readonly DatedExport[]): Map<string, DatedExport[]> {
  const groups = new Map<string, DatedExport[]>();
  for (const d of [...exports].sort((a, b) => compareText(a.summary.source, b.summary.source))) {
    const group = groups.get(d.summary.source);
    if (group) group.push(d);
    else groups.set(d.summary.source, [d]);
  }
  return groups;
}

/** Code-unit order, never locale order: the plan must not depend on where it is computed. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
