import { baseShortfall, type BaseCandidate } from '../restore-points/chain-base';
import type { ExportGraph } from './export-graph';
import type { ExportSummary } from './export-summary';

/**
 * Why restoring `e` would not give back every table of its source, or null when it would: it
 * is a rollback's safety snapshot or was taken with a table selection, or it is a delta whose
 * chain starts from such an export. The rule that decides whether an export may start a restore
 * chain for every table (core/restore-points/chain-base.ts), so retention and restores agree.
 * Says nothing about whether the chain is intact: `graph.check` answers that.
 */
export function coverageShortfall(e: ExportSummary, graph: ExportGraph): string | null {
  if (e.mode === 'full') return baseShortfall(asCandidate(e), []);
  const chain = graph.check(e.id);
  const base = chain.ok ? graph.get(chain.baseId) : undefined;
  const short = base ? baseShortfall(asCandidate(base), []) : null;
  return short === null || !base ? null : `its chain starts from ${base.id}: ${short}`;
}

/**
 * A restore point, the only kind of export keep-last and GFS count: succeeded, not corrupt, an
 * intact chain, and it restores every table of its source. A partial export or a rollback's
 * safety snapshot filling a slot would push a full backup out of the kept window.
 */
export function isRestorePoint(e: ExportSummary, graph: ExportGraph): boolean {
  return graph.check(e.id).ok && coverageShortfall(e, graph) === null;
}

/** Retention does not read an export's tables: "some tables" is all its explanations need. */
function asCandidate(e: ExportSummary): BaseCandidate {
  return { exportId: e.id, mode: e.mode, role: e.role, partial: e.partial, tables: null };
}
