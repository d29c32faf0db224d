import type { ExportSummary } from './export-summary';

/** Whether an export can be restored from its chain: every link present, succeeded and not corrupt. */
export type ChainCheck = { readonly ok: true; readonly baseId: string } | { readonly ok: false; readonly problem: string };

/**
 * Exports indexed by id, with the two questions retention asks of chains: which exports does
 * restoring this one read, and is every one of them usable. Tolerates any input (missing
 * parents, loops, a base that disagrees with the parents): a bad chain is an answer, not a fault.
 */
export interface ExportGraph {
  /**
   * Every export that restoring one of `roots` reads (parents up to the full, and each named
   * base, whatever their status), mapped to the first root in `roots` order that reads it.
   */
  dependencies(roots: readonly string[]): ReadonlyMap<string, string>;
  /** Memoised: each export's chain is walked once however many descendants ask. */
  check(id: string): ChainCheck;
  /** The export with this id, if the input has it. */
  get(id: string): ExportSummary | undefined;
}

export function buildExportGraph(exports: readonly ExportSummary[]): ExportGraph {
  const byId = new Map(exports.map((e) => [e.id, e]));
  const checks = new Map<string, ChainCheck>();

  const links = (e: ExportSummary): string[] =>
    [e.parentExportId, e.baseExportId].filter((id): id is string => id !== null && id !== e.id);

  /** One walk shared by all roots, so long chains kept by many exports are read once, not once per export. */
  function dependencies(roots: readonly string[]): ReadonlyMap<string, string> {
    const neededBy = new Map<string, string>();
    for (const root of roots) {
      const stack = [root];
      while (stack.length > 0) {
        const e = byId.get(stack.pop() as string);
        if (!e) continue;
        for (const next of links(e)) {
          if (next === root || neededBy.has(next)) continue;
          neededBy.set(next, root);
          stack.push(next);
        }
      }
    }
    return neededBy;
  }

  function ownProblem(e: ExportSummary): string | null {
    if (e.status !== 'succeeded') return `${e.id} is ${e.status}`;
    if (e.verificationStatus === 'corrupt') return `${e.id} is corrupt`;
    return null;
  }

  function checkOne(e: ExportSummary, parentCheck: ChainCheck | undefined): ChainCheck {
    const own = ownProblem(e);
    if (own) return { ok: false, problem: own };
    if (e.mode === 'full') return { ok: true, baseId: e.id };
    if (e.parentExportId === null) return { ok: false, problem: `${e.id} is a delta without a parent` };
    if (!parentCheck || !parentCheck.ok) return parentCheck ?? { ok: false, problem: `${e.parentExportId} is missing` };
    if (e.baseExportId !== null && e.baseExportId !== parentCheck.baseId) {
      return { ok: false, problem: `${e.id} names base ${e.baseExportId} but its parents lead to ${parentCheck.baseId}` };
    }
    return parentCheck;
  }

  /** Walks up iteratively (chains of hourly deltas are long), then settles the path top-down. */
  function check(id: string): ChainCheck {
    const known = checks.get(id);
    if (known) return known;
    const start = byId.get(id);
    if (!start) return { ok: false, problem: `${id} is missing` };
    const path: ExportSummary[] = [];
    const onPath = new Set<string>();
    let above: ChainCheck | undefined;
    for (let e: ExportSummary | undefined = start; e; ) {
      path.push(e);
      onPath.add(e.id);
      if (e.mode === 'full' || e.parentExportId === null) break;
      const parentId: string = e.parentExportId;
      above = checks.get(parentId);
      if (above) break;
      if (onPath.has(parentId)) {
        above = { ok: false, problem: `the chain of ${start.id} loops at ${parentId}` };
        break;
      }
      e = byId.get(parentId);
      if (!e) above = { ok: false, problem: `${parentId} is missing` };
    }
    for (let i = path.length - 1; i >= 0; i--) {
      above = checkOne(path[i], above);
      checks.set(path[i].id, above);
    }
    return checks.get(id) as ChainCheck;
  }

  return { dependencies, check, get: (id) => byId.get(id) };
}
