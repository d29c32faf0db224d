import { RestorepointError } from '../../core/errors';
import type { RestorePlan } from '../../core/restore-points';
import type { ActivityDeps } from '../deps';
import { loadVerifiedDeltaManifest } from '../incremental/load-delta-manifest';
import { describeCheck, verifyObject } from '../restore/verify-object';

/**
 * Reads back every archived object a plan replays — each delta's manifest (against the
 * catalog's hash) and parts, and the tail's archive when the tail comes from one — and
 * recomputes their sha256 and CRC32C, so a damaged link fails before anything is written.
 * Every part is checked, not only the scope's tables: a delta's parts hold the entries of all
 * tables in position order. The base export's parts are the caller's to check (it reads only
 * the tables in scope); the live trail is checked as a hash chain when it is read.
 */
export async function verifyPlanObjects(deps: ActivityDeps, plan: RestorePlan, onVerified: (key: string) => void): Promise<void> {
  const archives = [...plan.deltas.map((d) => d.exportId), ...(plan.tail.kind === 'archive' ? [plan.tail.exportId] : [])];
  for (const exportId of archives) {
    const { manifest, store, cipher } = await loadVerifiedDeltaManifest(deps, exportId);
    for (const part of manifest.parts) {
      const check = await verifyObject(store, part, cipher);
      if (check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `incremental export ${exportId}: ${describeCheck(check)}; nothing was changed`, { exportId, ...check });
      onVerified(part.key);
    }
  }
}
