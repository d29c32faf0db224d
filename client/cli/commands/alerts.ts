import type { Command } from 'commander';
import { listAlerts, type AlertQuery } from '../../../catalog/alerts-repo';
import { RestorepointError } from '../../../core/errors';
import { ANY_RESOURCE } from '../../../identity/permissions';
import { acknowledgeAlert, runAlertWatch } from '../../alerts';
import { withCatalogDb, withClient } from '../context';
import { action, emit, table } from '../output';

const STATUSES = ['open', 'acked', 'cleared', 'unresolved', 'all'] as const;

export function registerAlertsCommands(program: Command): void {
  const alerts = program.command('alerts').description('alerts raised by accident detection on the change trail and by service objectives (docs/observability.md)');

  alerts
    .command('list')
    .description('alerts, newest first: open and acknowledged ones unless --status says otherwise')
    .option('--source <name>', 'only this source')
    .option('--status <status>', STATUSES.join('|'), 'unresolved')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source?: string; status: string; limit: string; json?: boolean }) => {
        if (!(STATUSES as readonly string[]).includes(o.status)) throw new RestorepointError('INPUT_INVALID', `--status "${o.status}": one of ${STATUSES.join(', ')}`);
        await withCatalogDb(async (db) => {
          const rows = await listAlerts(db, { source: o.source, status: o.status as AlertQuery['status'], limit: Number(o.limit) });
          emit(o, rows, () =>
            rows.length === 0
              ? 'no alerts'
              : [
                  table(
                    ['id', 'status', 'kind', 'source', 'table', 'actor', 'changes', 'raised', 'summary'],
                    rows.map((a) => [a.id, a.status, a.kind, a.source, a.table, a.actor, a.counts.changes ?? a.counts.value, a.raisedAt.toISOString(), a.summary]),
                  ),
                  ...rows.filter((a) => a.status === 'open' && a.proposal).map((a) => `${a.id} proposes: ${a.proposal}`),
                ].join('\n'),
          );
        }, { permission: 'catalog.read', resource: o.source ?? ANY_RESOURCE });
      }),
    );

  alerts
    .command('ack <alertId>')
    .description('acknowledge an alert (needs alert.ack on its source; recorded in the ledger); its changes never raise again')
    .option('--comment <text>', 'what is being done about it', '')
    .option('--as <who>', 'who you are: refused unless it is the subject your token proves')
    .option('--json', 'print JSON')
    .action(
      action(async (alertId: string, o: { comment: string; as?: string; json?: boolean }) =>
        withCatalogDb(
          (db) =>
            withClient(async (client) => {
              const outcome = await acknowledgeAlert(client, db, { alertId, comment: o.comment, as: o.as });
              emit(o, { ok: true, ...outcome }, () => (outcome.changed ? `acknowledged ${alertId} as ${outcome.ackedBy}` : `${alertId} is ${outcome.status}${outcome.ackedBy ? ` (acknowledged by ${outcome.ackedBy})` : ''}: nothing changed`));
            }),
          // Reading the alert to find its source: catalog.read there (the worker then checks alert.ack).
          { permission: 'catalog.read', resource: async (db) => ((await db('alerts').where({ id: alertId }).first('source')) as { source: string } | undefined)?.source ?? ANY_RESOURCE },
        ),
      ),
    );

  alerts
    .command('check')
    .description('run one detection pass now (what `schedule detect` runs): raise, clear and deliver alerts')
    .option('--source <name>', 'only this source (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source?: string[]; json?: boolean }) =>
        withClient(async (client) => {
          const summary = await runAlertWatch(client, o.source ? { sources: o.source } : {});
          emit(o, summary, () =>
            [`raised ${summary.raised.length}, cleared ${summary.cleared.length}, delivered ${summary.delivered}`, ...summary.raised.map((id) => `raised ${id}`), ...summary.errors.map((e) => `${e.source}: ${e.message}`)].join('\n'),
          );
          return summary.errors.length > 0 ? 1 : 0;
        }),
      ),
    );
}
