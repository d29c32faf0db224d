import { getExport } from '../../catalog/exports-repo';
import { RestorepointError } from '../../core/errors';
import { deltaManifestSchema, type DeltaManifest } from '../../core/restore-points';
import type { ObjectStore } from '../../storage/object-store';
import { sha256Hex } from '../../streams/sha256';
import type { ActivityDeps } from '../deps';
import type { ObjectCipher } from '../../crypto/object-cipher';
import { manifestCipher } from '../restore/load-manifest';

/**
 * An incremental export's manifest, proven to be the one it wrote: finished in the catalog,
 * present, and equal to the sha256 the catalog keeps. Anything else is CHAIN_BROKEN, since a
 * delta is only ever read as a link of a chain.
 */
export async function loadVerifiedDeltaManifest(deps: ActivityDeps, exportId: string): Promise<{ manifest: DeltaManifest; store: ObjectStore; cipher?: ObjectCipher }> {
  const record = await getExport(deps.catalog, exportId);
  const broken = (problem: string) => new RestorepointError('CHAIN_BROKEN', `incremental export ${exportId}: ${problem}`, { exportId });
  if (!record) throw broken('not in the catalog');
  if (record.status !== 'succeeded' || !record.manifestKey || !record.manifestSha256) throw broken(`it is ${record.status}, not a finished export`);
  const store = deps.openStore(record.destination);
  if (!(await store.stat(record.manifestKey))) throw broken(`its manifest ${record.manifestKey} is missing`);
  const bytes = await store.getBytes(record.manifestKey);
  const actual = sha256Hex(bytes);
  if (actual !== record.manifestSha256) throw broken(`its manifest ${record.manifestKey} does not match the catalog (sha256 ${actual}, expected ${record.manifestSha256})`);
  const manifest = deltaManifestSchema.parse(JSON.parse(bytes.toString('utf8')));
  // An encrypted delta's manifest must carry its MAC under the delta's data key (MANIFEST_TAMPERED otherwise).
  const cipher = await manifestCipher(deps, exportId, record.manifestKey, manifest, bytes);
  return { manifest, store, ...(cipher ? { cipher } : {}) };
}
