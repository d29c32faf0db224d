import { appendLedger } from '../../catalog/ledger';
import { getExport } from '../../catalog/exports-repo';
import { listHolds } from '../../catalog/holds-repo';
import { RestorepointError } from '../../core/errors';
import { shredInputSchema, type ShredOutcome, type ShredRequest } from '../../core/shred-input';
import { destroyDataKey, getExportKey } from '../../crypto/export-keys';
import type { ActivityDeps } from '../deps';

/**
 * Crypto-shredding (docs/security.md): destroys an export's wrapped data key, so none of its
 * stored objects can be decrypted again, without rewriting or deleting them. Planned first: the
 * same refusals in a dry run as for real (SHRED_REFUSED under a legal hold, while a finished
 * incremental export builds on it, or for an unencrypted export). Idempotent; ledgered.
 */
export function createShredActivities(deps: ActivityDeps) {
  return {
    async shredExport(request: ShredRequest): Promise<ShredOutcome> {
      const input = shredInputSchema.parse(request);
      const { exportId } = input;
      const record = await getExport(deps.catalog, exportId);
      if (!record) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`, { exportId });
      // The caller was authorized on `input.source`: it must be the export's own.
      if (record.source !== input.source) throw new RestorepointError('INPUT_INVALID', `export ${exportId} is of source ${record.source}, not ${input.source}; nothing was destroyed`, { exportId });
      const key = await getExportKey(deps.catalog, exportId);
      if (!key) throw new RestorepointError('SHRED_REFUSED', `export ${exportId} is not encrypted: it has no data key to destroy (delete it instead); nothing was destroyed`, { exportId });
      if (key.destroyedAt) return { exportId, dryRun: !input.confirm, changed: false, keyId: key.keyId, destroyedAt: key.destroyedAt.toISOString() };
      const hold = (await listHolds(deps.catalog, { exportId })).find((h) => h.releasedAt === null);
      if (hold) throw new RestorepointError('SHRED_REFUSED', `export ${exportId} is under legal hold ${hold.id} (${hold.reason}); nothing was destroyed`, { exportId, holdId: hold.id });
      const dependents = await deps.catalog('exports')
        .select<{ id: string }[]>('id')
        .where((q) => q.where({ parent_export_id: exportId }).orWhere({ base_export_id: exportId }))
        .whereNot({ id: exportId })
        .whereNot({ status: 'deleted' })
        .whereNull('deleted_at')
        .orderBy('id');
      if (dependents.length > 0) {
        const ids = dependents.map((d) => d.id);
        throw new RestorepointError('SHRED_REFUSED', `incremental exports ${ids.join(', ')} build on export ${exportId}: shred them first; nothing was destroyed`, { exportId, dependents: ids });
      }
      if (!input.confirm) return { exportId, dryRun: true, changed: false, keyId: key.keyId, destroyedAt: null };
      const changed = await deps.catalog.transaction(async (trx) => {
        const destroyed = await destroyDataKey(trx, exportId, input.requestedBy);
        if (destroyed) {
          await appendLedger(trx, { actor: input.requestedBy, action: 'export.shredded', subject: exportId, outcome: 'ok', details: { keyId: key.keyId, reason: input.reason } });
        }
        return destroyed;
      });
      const after = await getExportKey(deps.catalog, exportId);
      return { exportId, dryRun: false, changed, keyId: key.keyId, destroyedAt: after?.destroyedAt?.toISOString() ?? null };
    },
  };
}
