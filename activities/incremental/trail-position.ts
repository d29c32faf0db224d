import { recordCoverage, recordTrailRange } from '../../catalog/chain-repo';
import type { ExportRole } from '../../core/export-input';
import { manifestSchema } from '../../core/manifest';
import type { TrailPoint } from '../../core/restore-points';
import { RestorepointError } from '../../core/errors';
import { sha256Hex } from '../../streams/sha256';
import { sealTrail, TRAIL_GENESIS_HASH, trailInstalled } from '../../trail';
import { resolveSource, type ActivityDeps } from '../deps';
import { withTrailClient } from './trail-source';

export function createTrailPositionActivities(deps: ActivityDeps) {
  return {
    /**
     * Seals the source's trail and returns its head, before a full export opens its snapshot:
     * every entry at or before it was committed before the snapshot, so it is in the export,
     * and every change the snapshot misses comes after it. Entries sealed later can still be in
     * the snapshot (committed between this sealing and the snapshot); replay skips them by the
     * snapshot's txid list. Null when the source has no trail.
     */
    async sealTrailForExport(input: { readonly source: string }): Promise<TrailPoint | null> {
      return withTrailClient(resolveSource(deps.config, input.source).url, async (client) => {
        if (!(await trailInstalled(client))) return null;
        return (await sealTrail(client)).head ?? { position: 0, hash: TRAIL_GENESIS_HASH };
      });
    },

    /**
     * Records a finished full export's trail position and snapshot time in the catalog (before it
     * is marked finished), and what it holds and is for: its tables as the manifest lists them,
     * whether they were a selection, and its role. A chain may start only from an export that
     * holds what is asked of it (core/restore-points/chain-base.ts).
     */
    async recordFullTrailPosition(input: {
      readonly exportId: string;
      readonly destination: string;
      readonly manifestKey: string;
      readonly manifestSha256: string;
      readonly position: TrailPoint | null;
      readonly role: ExportRole;
      readonly partial: boolean;
    }): Promise<void> {
      const bytes = await deps.openStore(input.destination).getBytes(input.manifestKey);
      if (sha256Hex(bytes) !== input.manifestSha256) throw new RestorepointError('MANIFEST_TAMPERED', `manifest ${input.manifestKey} changed since it was written`, { key: input.manifestKey });
      const manifest = manifestSchema.parse(JSON.parse(bytes.toString('utf8')));
      await recordCoverage(deps.catalog, input.exportId, { role: input.role, partial: input.partial, tables: manifest.tables.map((t) => `${t.schema}.${t.name}`).sort() });
      await recordTrailRange(deps.catalog, input.exportId, { from: null, to: input.position, asOf: new Date(manifest.snapshot.takenAt) });
    },
  };
}
