import { alertCutoffs, raiseAlert, type NewAlert } from '../../catalog/alerts-repo';
import { baselineOf, judgeWindow } from '../../core/alerts/baseline';
import { rollbackProposal } from '../../core/alerts/proposal';
import type { AlertKind } from '../../core/alerts/alert';
import type { ActivityDeps } from '../deps';
import { withSourceClient } from '../rollback/source-client';
import { rateKey, readTrailRates, type WindowChanges } from './trail-rates';

/** A raised alert as workflows see it: its id and what it is about, no figures. */
export interface RaisedAlert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly source: string;
}

const KIND_OF: Readonly<Record<WindowChanges['operation'], AlertKind>> = { delete: 'mass-delete', update: 'mass-update', truncate: 'truncate' };

/** Most actors an alert names, the largest first. */
const ACTORS_SHOWN = 5;

/**
 * One detection pass over a source's change trail: each table's deletes, updates and truncates
 * in the current window against its learned baseline; an accident is recorded (catalog and
 * ledger) with its rollback proposal. Retry-safe: a key's changes are counted only after its
 * newest alert's window, so a retried or repeated pass never raises the same changes twice.
 * A source without a trail has nothing to detect.
 */
export async function detectAccidents(deps: ActivityDeps, request: { readonly source: string; readonly actor: string }): Promise<readonly RaisedAlert[]> {
  const settings = deps.config.alerts;
  const cutoffs = await alertCutoffs(deps.catalog, request.source);
  const rates = await withSourceClient(deps, request.source, 'detect', async (client) => {
    const { rows } = await client.query<{ installed: boolean }>("select to_regclass('restorepoint_trail.change') is not null as installed");
    return rows[0]?.installed ? readTrailRates(client, settings.windowSeconds, settings.historyWindows, cutoffs) : null;
  });
  if (!rates) return [];
  const snapshotTo = await latestDestination(deps, request.source);
  const raised: RaisedAlert[] = [];
  for (const window of rates.current) {
    const key = rateKey(window.table, window.operation);
    const baseline = baselineOf(rates.history.get(key) ?? new Array<number>(settings.historyWindows).fill(0));
    const tableRows = rates.tableRows.get(window.table) ?? 0;
    const verdict = window.operation === 'truncate' ? { anomalous: true as const, limit: 0, reason: 'truncate' } : judgeWindow(window.total, tableRows, baseline, settings);
    if (!verdict.anomalous) continue;
    const actors = [...window.actors].sort((a, b) => b[1] - a[1]);
    // One actor behind at least 90% of the changes is the one the revert is scoped to.
    const actor = actors[0] && actors[0][1] >= 0.9 * window.total ? actors[0][0] : null;
    const kind = KIND_OF[window.operation];
    const windowStart = new Date(Math.max(rates.now.getTime() - settings.windowSeconds * 1000, cutoffs.get(key)?.getTime() ?? 0));
    const alert: NewAlert = {
      key: `${request.source}|${key}`,
      kind,
      source: request.source,
      table: window.table,
      operation: window.operation,
      actor,
      windowStart,
      windowEnd: rates.now,
      counts: {
        changes: window.total,
        tableRows,
        baselineMedian: baseline.median,
        baselineMad: baseline.mad,
        limit: verdict.limit,
        actors: Object.fromEntries(actors.slice(0, ACTORS_SHOWN)),
      },
      summary: summaryOf(kind, request.source, window, actor, tableRows, settings.windowSeconds, baseline.median),
      proposal: (alertId) =>
        rollbackProposal({ alertId, source: request.source, kind: kind as 'mass-delete' | 'mass-update' | 'truncate', table: window.table, actor, firstChangeAt: window.firstAt, lastChangeAt: window.lastAt, snapshotTo }),
    };
    const outcome = await raiseAlert(deps.catalog, alert, request.actor);
    if (outcome.alert) raised.push({ id: outcome.alert.id, kind, source: request.source });
  }
  return raised;
}

function summaryOf(kind: AlertKind, source: string, w: WindowChanges, actor: string | null, tableRows: number, windowSeconds: number, median: number): string {
  const who = actor ?? `${w.actors.size} actors`;
  if (kind === 'truncate') return `${source}: ${w.table} truncated by ${who}`;
  const verb = kind === 'mass-delete' ? 'deleted' : 'updated';
  return `${source}: ${w.total} rows of ${w.table} ${verb} by ${who} within ${windowSeconds} s (about ${tableRows} rows in the table; usually ${median} a window)`;
}

async function latestDestination(deps: ActivityDeps, source: string): Promise<string | null> {
  const row = (await deps.catalog('exports').where({ source, status: 'succeeded' }).orderBy('created_at', 'desc').first('destination')) as { destination: string } | undefined;
  return row?.destination ?? null;
}
