import { listChainLinks } from '../../catalog/chain-repo';
import { RestorepointError } from '../../core/errors';
import type { Manifest } from '../../core/manifest';
import { followChain, type ChainLink, type DeltaManifest } from '../../core/restore-points';
import { loadVerifiedManifest } from '../restore/load-manifest';
import { describeCheck, verifyObject } from '../restore/verify-object';
import type { ActivityDeps } from '../deps';
import { loadVerifiedDeltaManifest } from './load-delta-manifest';

export interface VerifiedChain {
  readonly links: readonly ChainLink[];
  readonly base: Manifest;
  readonly deltas: readonly DeltaManifest[];
}

/**
 * Proves a chain (base full export, then deltas, ending at `tipId`) is whole before anything
 * builds on it: the catalog links continue each other's trail ranges, every manifest matches
 * the catalog's hash, every stored object exists with its recorded size, and the objects of
 * the deltas named in `checksumDeltas` are read back and checked in full (a delta is small; the
 * base is not, so its checksums are left to whoever reads it). Any flaw is CHAIN_BROKEN.
 */
export async function verifyChain(deps: ActivityDeps, source: string, tipId: string, checksumDeltas: ReadonlySet<string> = new Set()): Promise<VerifiedChain> {
  const followed = followChain(await listChainLinks(deps.catalog, { source }), tipId);
  if (!followed.ok) throw new RestorepointError('CHAIN_BROKEN', `the chain ending at ${tipId} is broken at ${followed.exportId}: ${followed.problem}`, { exportId: followed.exportId });
  const [baseLink, ...deltaLinks] = followed.links;
  const { manifest: base, store: baseStore } = await loadVerifiedManifest(deps, baseLink!.exportId).catch((error: unknown) => {
    throw new RestorepointError('CHAIN_BROKEN', `base export ${baseLink!.exportId}: ${(error as Error).message}`, { exportId: baseLink!.exportId });
  });
  for (const part of base.tables.flatMap((t) => t.parts)) {
    const stat = await baseStore.stat(part.key);
    if (!stat || stat.size !== part.bytes) {
      throw new RestorepointError('CHAIN_BROKEN', `base export ${baseLink!.exportId}: ${part.key} is ${stat ? `${stat.size} bytes, expected ${part.bytes}` : 'missing'}`, { exportId: baseLink!.exportId, key: part.key });
    }
  }
  const deltas: DeltaManifest[] = [];
  for (const link of deltaLinks) {
    const { manifest, store } = await loadVerifiedDeltaManifest(deps, link.exportId);
    for (const part of manifest.parts) {
      const check = checksumDeltas.has(link.exportId) ? await verifyObject(store, part) : await statCheck(store, part);
      if (check !== null && check.status !== 'ok') throw new RestorepointError('CHAIN_BROKEN', `incremental export ${link.exportId}: ${describeCheck(check)}`, { exportId: link.exportId, key: part.key });
    }
    deltas.push(manifest);
  }
  return { links: followed.links, base, deltas };
}

async function statCheck(store: ReturnType<ActivityDeps['openStore']>, part: { key: string; bytes: number }) {
  const stat = await store.stat(part.key);
  if (!stat) return { key: part.key, status: 'missing' as const };
  if (stat.size !== part.bytes) return { key: part.key, status: 'size mismatch' as const, expected: part.bytes, actual: stat.size };
  return null;
}
