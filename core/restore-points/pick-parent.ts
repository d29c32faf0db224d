import { baseShortfall, describeWanted } from './chain-base';
import type { ChainLink } from './chain-link';

export type PickedParent = { readonly ok: true; readonly parent: ChainLink } | { readonly ok: false; readonly problem: string };

/**
 * The export an incremental export follows when none is named (pure): the newest finished
 * export of `source` to `destination` with a trail position whose chain starts from a base that
 * can hold `wanted` (chain-base.ts). A newer partial export, a rollback's safety snapshot, or a
 * delta of a chain that starts from one, is passed over: a delta on it would silently leave
 * tables out of the chain. A link whose base is not in `links` is still picked, so that
 * proving its chain refuses it by name rather than a fork starting quietly from an older one.
 */
export function pickParent(links: readonly ChainLink[], source: string, destination: string, wanted: readonly string[], exceptId: string): PickedParent {
  const byId = new Map(links.map((l) => [l.exportId, l]));
  const candidates = links
    .filter((l) => l.source === source && l.destination === destination && l.status === 'succeeded' && l.trailTo !== null && l.asOf !== null && l.exportId !== exceptId)
    .sort((a, b) => Date.parse(b.asOf!) - Date.parse(a.asOf!) || b.exportId.localeCompare(a.exportId));
  if (candidates.length === 0) return { ok: false, problem: `no finished export of ${source} to ${destination} has a trail position: track the tables, then take a full export first` };
  const passedOver = new Map<string, string>();
  for (const candidate of candidates) {
    const base = candidate.mode === 'full' ? candidate : byId.get(candidate.baseExportId ?? '');
    const shortfall = base ? baseShortfall(base, wanted) : null;
    if (shortfall === null) return { ok: true, parent: candidate };
    passedOver.set(base!.exportId, shortfall);
  }
  const why = [...passedOver.values()].slice(0, 3).join('; ');
  return { ok: false, problem: `no chain of ${source} in ${destination} starts from an export holding ${describeWanted(wanted)} (${why}): take a full export of them first` };
}
