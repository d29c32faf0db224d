import { RestorepointError } from '../../core/errors';
import type { ExportInput } from '../../core/export-input';
import { describeScope, isPartialScope } from '../../core/export-scope';
import { getExport, markExport, upsertExport } from '../../catalog/exports-repo';
import { appendLedger, withLedgerTransaction } from '../../catalog/ledger';
import type { ActivityDeps } from '../deps';
import { loadMasking } from './masking';
import type { ExportDataResult } from './export-data';

/**
 * Catalog and ledger bookkeeping around an export; every step is idempotent. Each step writes
 * the export's status and its ledger entries in one transaction: a step runs again when its
 * worker died before its result was recorded, and it decides from the status whether the
 * entry is still to be written, so the two are never committed apart (a status committed
 * without its entry would make the re-run skip the entry for good).
 */
export function createExportLifecycleActivities(deps: ActivityDeps) {
  return {
    async beginExport(input: ExportInput): Promise<void> {
      const masking = input.mask ? loadMasking(deps.config, input.mask) : undefined;
      await withLedgerTransaction(deps.catalog, async (trx) => {
        const { created, export: existing } = await upsertExport(trx, {
          id: input.exportId,
          mode: input.mode,
          source: input.source,
          destination: input.destination,
          format: input.format,
          compression: input.compression,
          tags: input.tags,
          requestedBy: input.requestedBy,
          partial: input.mode === 'full' && isPartialScope(input),
          masking: masking ? { profile: masking.name, rulesDigest: masking.rulesDigest } : null,
        });
        if (created) {
          await appendLedger(trx, {
            actor: input.requestedBy,
            action: 'export.requested',
            subject: input.exportId,
            outcome: 'ok',
            details: {
              source: input.source,
              destination: input.destination,
              format: input.format,
              compression: input.compression,
              // Encryption turned off is an explicit choice, and audited.
              encrypted: input.encrypt,
              tables: input.tables,
              schemas: input.schemas,
              exclude: input.exclude,
              ...(input.mode === 'full' ? { scope: describeScope(input), partial: isPartialScope(input) } : {}),
              ...(masking ? { masking: { profile: masking.name, rulesDigest: masking.rulesDigest } } : {}),
              tags: input.tags,
            },
          });
        }
        // A finished export started again (a second workflow run under the same id) is left
        // as it is: exportData then returns the recorded result without touching anything.
        if (!created && existing.status === 'succeeded') return;
        const marked = await markExport(trx, input.exportId, 'running');
        if (!marked.ok) {
          throw new RestorepointError('INPUT_INVALID', `export ${input.exportId} cannot start: ${marked.reason}${'current' in marked ? ` (it is ${marked.current})` : ''}`, { exportId: input.exportId });
        }
        if (created) await appendLedger(trx, { actor: input.requestedBy, action: 'export.started', subject: input.exportId, outcome: 'ok', details: {} });
      });
    },

    async finishExport(result: ExportDataResult & { readonly exportId: string; readonly actor: string }): Promise<void> {
      await withLedgerTransaction(deps.catalog, async (trx) => {
        const before = await getExport(trx, result.exportId, { forUpdate: true });
        await markExport(trx, result.exportId, 'succeeded', {
          manifestKey: result.manifestKey,
          manifestSha256: result.manifestSha256,
          tablesCount: result.tables,
          rows: result.rows,
          bytes: result.bytes,
          snapshot: { txidSnapshot: result.txidSnapshot },
        });
        if (before?.status !== 'succeeded') {
          await appendLedger(trx, {
            actor: result.actor,
            action: 'export.finished',
            subject: result.exportId,
            outcome: 'ok',
            details: { manifestKey: result.manifestKey, manifestSha256: result.manifestSha256, tables: result.tables, rows: result.rows, bytes: result.bytes, parts: result.parts },
          });
        }
      });
    },

    async failExport(failure: { readonly exportId: string; readonly actor: string; readonly message: string }): Promise<void> {
      await withLedgerTransaction(deps.catalog, async (trx) => {
        const before = await getExport(trx, failure.exportId, { forUpdate: true });
        await markExport(trx, failure.exportId, 'failed', { error: failure.message });
        if (before && before.status !== 'failed') {
          await appendLedger(trx, { actor: failure.actor, action: 'export.failed', subject: failure.exportId, outcome: 'failed', details: { error: failure.message } });
        }
      });
    },
  };
}
