import type { Command } from 'commander';
import { getExport } from '../../../catalog/exports-repo';
import { listHolds, type LegalHold } from '../../../catalog/holds-repo';
import { RestorepointError } from '../../../core/errors';
import { changeHold } from '../../holds';
import { sourceOfRow, withCatalogDb, withClient } from '../context';
import { confirmOption, withDryRunNote } from '../confirm';
import { action, emit, table } from '../output';

const holdRows = (holds: readonly LegalHold[]) =>
  table(
    ['export', 'hold', 'placed', 'by', 'reason', 'released', 'by', 'release reason'],
    holds.map((h) => [h.exportId, h.id, h.placedAt.toISOString(), h.placedBy, h.reason, h.releasedAt?.toISOString(), h.releasedBy, h.releaseReason]),
  );

export function registerHoldCommands(program: Command): void {
  const hold = program.command('hold').description('legal holds: a held export is never deleted by retention, whatever the policy');

  hold
    .command('add <exportId>')
    .description('place a legal hold on an export (recorded in the catalog and the ledger); holding a held export changes nothing')
    .requiredOption('--reason <text>', 'why, e.g. a case or ticket number (required: holds are audited)')
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { reason: string; json?: boolean }) =>
        withClient(async (client) => {
          // The worker places it for the verified caller (permission hold.add on the export's source).
          const { changed, hold: h } = await changeHold(client, { exportId, change: 'add', reason: o.reason });
          emit(o, { ok: true, changed, hold: h }, () =>
            changed ? `export ${exportId} is now under legal hold ${h?.id}` : `export ${exportId} was already held since ${h?.placedAt} by ${h?.placedBy}: ${h?.reason}`,
          );
        }),
      ),
    );

  confirmOption(
    hold
      .command('remove <exportId>')
      .description("release an export's legal hold (recorded in the ledger) with --confirm; retention may then delete it by its policy")
      .requiredOption('--reason <text>', 'why the hold ends (required: releases are audited)'),
  )
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { reason: string; confirm?: boolean; json?: boolean }) => {
        if (o.confirm) {
          // The worker releases it for the verified caller (permission hold.remove on the export's source).
          const { changed, hold: h } = await withClient((client) => changeHold(client, { exportId, change: 'remove', reason: o.reason }));
          emit(o, { ok: true, dryRun: false, changed, hold: h }, () => (changed ? `released legal hold ${h?.id} on export ${exportId}` : `export ${exportId} is not under legal hold`));
          return;
        }
        return withCatalogDb(async (db) => {
            // The same refusal as the real release, so a dry run never says less than the act would.
            if (!(await getExport(db, exportId))) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`, { exportId });
            const active = (await listHolds(db, { exportId })).find((h) => h.releasedAt === null);
            const plan = active
              ? `would release legal hold ${active.id} on export ${exportId} (placed ${active.placedAt.toISOString()} by ${active.placedBy}: ${active.reason})`
              : `export ${exportId} is not under legal hold`;
            emit(o, { ok: true, dryRun: true, changed: false, hold: active ?? null }, () => withDryRunNote(false, plan));
        }, { permission: 'catalog.read', resource: sourceOfRow('exports', exportId) });
      }),
    );

  hold
    .command('list [exportId]')
    .description('active legal holds; with an export id, every hold that export ever had')
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string | undefined, o: { json?: boolean }) =>
        withCatalogDb(async (db) => {
          const holds = await listHolds(db, { exportId });
          emit(o, holds, () => (holds.length === 0 ? (exportId ? `export ${exportId} has never been held` : 'no export is under legal hold') : holdRows(holds)));
        }, { permission: 'catalog.read', resource: exportId ? sourceOfRow('exports', exportId) : '*' }),
      ),
    );
}
