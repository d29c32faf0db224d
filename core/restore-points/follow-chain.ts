import { continues, type ChainLink } from './chain-link';

export type FollowedChain =
  | { readonly ok: true; readonly links: readonly ChainLink[] }
  | { readonly ok: false; readonly exportId: string; readonly problem: string };

/**
 * The chain from its base full export to `tipId`, base first, following parent links. Refused
 * (as a value) when a link is missing, not finished, not a continuation of its parent's trail
 * range (a gap or a different trail), or when the base has no trail position.
 */
export function followChain(links: readonly ChainLink[], tipId: string): FollowedChain {
  const byId = new Map(links.map((l) => [l.exportId, l]));
  const chain: ChainLink[] = [];
  const seen = new Set<string>();
  for (let id: string | null = tipId; id !== null; ) {
    const link = byId.get(id);
    if (!link) return { ok: false, exportId: id, problem: `export ${id} is not in the catalog` };
    if (seen.has(id)) return { ok: false, exportId: id, problem: `export ${id} is its own ancestor` };
    seen.add(id);
    if (link.status !== 'succeeded') return { ok: false, exportId: id, problem: `export ${id} is ${link.status}, not a finished export` };
    if (link.trailTo === null) return { ok: false, exportId: id, problem: `export ${id} has no trail position (its source had no change trail when it ran)` };
    const child = chain[0];
    if (child && !continues(link, child)) {
      return { ok: false, exportId: child.exportId, problem: `gap: ${child.exportId} starts after trail position ${child.trailFrom?.position} but its parent ${id} ends at ${link.trailTo.position} (or with another hash)` };
    }
    chain.unshift(link);
    if (link.mode === 'full') return { ok: true, links: chain };
    id = link.parentExportId;
    if (id === null) return { ok: false, exportId: link.exportId, problem: `incremental export ${link.exportId} names no parent` };
  }
  return { ok: false, exportId: tipId, problem: 'no base full export' };
}
