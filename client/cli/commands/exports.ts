import { InvalidArgumentError, type Command } from 'commander';
import type { Knex } from 'knex';
import type { ExportRecord } from '../../../catalog/export-records';
import { getExport, listExports, listFiles } from '../../../catalog/exports-repo';
import { listLedger } from '../../../catalog/ledger';
import { RestorepointError } from '../../../core/errors';
import { sourceOfRow, withCatalogDb } from '../context';
import { action, emit, table } from '../output';
import { registerShredCommand } from './keys';

/** `--tag key=value`, repeatable: the tags an export must carry. */
function tag(raw: string, tags: Record<string, string> = {}): Record<string, string> {
  const at = raw.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected key=value');
  return { ...tags, [raw.slice(0, at)]: raw.slice(at + 1) };
}

const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '' : (bytes / 1024 / 1024).toFixed(1));

/**
 * What an export covers, in words: its request as the ledger recorded it (core/export-scope.ts),
 * or, for an export requested before that was recorded, whether the catalog marks it partial.
 */
async function scopeOf(db: Knex, record: ExportRecord): Promise<string> {
  if (record.mode === 'incremental') return "incremental: the changes of its chain's tracked tables";
  const [requested] = await listLedger(db, { subject: record.id, action: 'export.requested', limit: 1 });
  const details = requested?.details as { scope?: unknown } | undefined;
  const described = typeof details?.scope === 'string' ? details.scope : record.partial ? 'partial (narrowed by a table selection)' : 'whole export of its schemas';
  return record.role === 'safety-snapshot' ? `${described} (a rollback's safety snapshot)` : described;
}

export function registerExportsCommands(program: Command): void {
  const exports = program.command('exports').description('the catalog of exports');

  exports
    .command('list')
    .description('exports, newest first')
    .option('--source <name>', 'only this source')
    .option('--status <status>', 'requested, running, succeeded, failed or deleted')
    .option('--tag <key=value>', 'only exports with this tag (repeatable: all must match)', tag)
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source?: string; status?: string; tag?: Record<string, string>; limit: string; json?: boolean }) =>
        withCatalogDb(async (db) => {
          const rows = await listExports(db, { source: o.source, status: o.status as never, tags: o.tag, limit: Number(o.limit) });
          emit(o, rows, () =>
            table(
              ['id', 'status', 'verified', 'source', 'scope', 'tables', 'rows', 'MB', 'created', 'requested by'],
              rows.map((r) => [r.id, r.status, r.verificationStatus, r.source, r.mode === 'incremental' ? 'delta' : r.partial ? 'partial' : 'whole', r.tablesCount, r.rows, mb(r.bytes), r.createdAt.toISOString(), r.requestedBy]),
            ),
          );
        }, { permission: 'catalog.read', resource: o.source ?? '*' }),
      ),
    );

  exports
    .command('show <exportId>')
    .description('one export with its stored objects')
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { json?: boolean }) =>
        withCatalogDb(async (db) => {
          const record = await getExport(db, exportId);
          if (!record) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`);
          const files = await listFiles(db, exportId);
          const scope = await scopeOf(db, record);
          emit(o, { export: record, scope, files }, () =>
            [
              `scope: ${scope}`,
              table(['field', 'value'], Object.entries(record).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? JSON.stringify(v) : v])),
              '',
              table(['object', 'table', 'part', 'rows', 'bytes', 'sha256'], files.map((f) => [f.objectKey, f.tableName, f.partNo, f.rows, f.bytes, f.sha256.slice(0, 16)])),
            ].join('\n'),
          );
        }, { permission: 'catalog.read', resource: sourceOfRow('exports', exportId) }),
      ),
    );
  registerShredCommand(exports);
}
