import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Alert, AlertCounts, AlertKind } from '../core/alerts/alert';
import { ALERT_KINDS, ALERT_STATUSES } from '../core/alerts/alert';
import { RestorepointError } from '../core/errors';
import { appendLedger } from './ledger';

const alertRowSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    kind: z.enum(ALERT_KINDS),
    source: z.string(),
    table_name: z.string().nullable(),
    operation: z.string().nullable(),
    actor: z.string().nullable(),
    window_start: z.date(),
    window_end: z.date(),
    counts: z.record(z.string(), z.unknown()),
    summary: z.string(),
    proposal: z.string().nullable(),
    status: z.enum(ALERT_STATUSES),
    raised_at: z.date(),
    acked_at: z.date().nullable(),
    acked_by: z.string().nullable(),
    cleared_at: z.date().nullable(),
  })
  .transform(
    (r): Alert => ({
      id: r.id,
      key: r.key,
      kind: r.kind,
      source: r.source,
      table: r.table_name,
      operation: r.operation,
      actor: r.actor,
      windowStart: r.window_start,
      windowEnd: r.window_end,
      counts: r.counts as AlertCounts,
      summary: r.summary,
      proposal: r.proposal,
      status: r.status,
      raisedAt: r.raised_at,
      ackedAt: r.acked_at,
      ackedBy: r.acked_by,
      clearedAt: r.cleared_at,
    }),
  );

/** An alert about to be raised; the id and proposal are made here, so the proposal can name the id. */
export interface NewAlert {
  readonly key: string;
  readonly kind: AlertKind;
  readonly source: string;
  readonly table?: string;
  readonly operation?: string;
  readonly actor?: string | null;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly counts: AlertCounts;
  readonly summary: string;
  readonly proposal?: (alertId: string) => string;
}

/** `alert-<UTC time>-<random>`: sortable and readable in a chat message. */
function newAlertId(now: Date): string {
  return `alert-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
}

/**
 * Records an alert and its ledger entry (`alert.raised`, subject the alert id, actor the
 * detector) in one transaction. An objective's second unresolved alert for the same key is
 * refused by a unique index: `raised` is then false and nothing is written.
 */
export async function raiseAlert(db: Knex, alert: NewAlert, actor: string): Promise<{ readonly raised: boolean; readonly alert: Alert | null }> {
  const id = newAlertId(alert.windowEnd);
  return db.transaction(async (trx) => {
    const rows = await trx('alerts')
      .insert({
        id,
        key: alert.key,
        kind: alert.kind,
        source: alert.source,
        table_name: alert.table ?? null,
        operation: alert.operation ?? null,
        actor: alert.actor ?? null,
        window_start: alert.windowStart,
        window_end: alert.windowEnd,
        counts: JSON.stringify(alert.counts),
        summary: alert.summary,
        proposal: alert.proposal ? alert.proposal(id) : null,
      })
      .onConflict(trx.raw(`(key) where status <> 'cleared' and (kind like 'slo-%' or kind = 'rollback-burst')`))
      .ignore()
      .returning('*');
    if (rows.length === 0) return { raised: false, alert: null };
    const stored = alertRowSchema.parse(rows[0]);
    await appendLedger(trx, {
      actor,
      action: 'alert.raised',
      subject: stored.id,
      outcome: 'raised',
      details: { kind: stored.kind, source: stored.source, table: stored.table, operation: stored.operation, alertActor: stored.actor, counts: { ...stored.counts }, windowStart: stored.windowStart.toISOString(), windowEnd: stored.windowEnd.toISOString() },
    });
    return { raised: true, alert: stored };
  });
}

/**
 * The newest accident alert's window end per `table|operation` of a source (its key without the
 * `source|` prefix): detection counts a key's changes only after it.
 */
export async function alertCutoffs(db: Knex, source: string): Promise<ReadonlyMap<string, Date>> {
  const rows = (await db('alerts').where({ source }).whereIn('kind', ['mass-delete', 'mass-update', 'truncate']).groupBy('key').select('key').max({ end: 'window_end' })) as { key: string; end: Date }[];
  return new Map(rows.map((r) => [r.key.slice(source.length + 1), new Date(r.end)]));
}

/** The unresolved (open or acknowledged) alert of an objective key, if any. */
export async function unresolvedAlert(db: Knex, key: string): Promise<Alert | null> {
  const row: unknown = await db('alerts').where({ key }).whereNot({ status: 'cleared' }).first();
  return row ? alertRowSchema.parse(row) : null;
}

/** Clears an objective's alert (the condition no longer holds), with its `alert.cleared` entry. False when it was already cleared. */
export async function clearAlert(db: Knex, alertId: string, actor: string, details: Readonly<Record<string, unknown>>): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('alerts').where({ id: alertId }).whereNot({ status: 'cleared' }).update({ status: 'cleared', cleared_at: trx.fn.now() });
    if (updated === 0) return false;
    await appendLedger(trx, { actor, action: 'alert.cleared', subject: alertId, outcome: 'cleared', details: { ...details } });
    return true;
  });
}

export async function getAlert(db: Knex, alertId: string): Promise<Alert | null> {
  const row: unknown = await db('alerts').where({ id: alertId }).first();
  return row ? alertRowSchema.parse(row) : null;
}

export interface AlertQuery {
  readonly source?: string;
  /** Default: open and acknowledged ones; `all` includes cleared. */
  readonly status?: 'open' | 'acked' | 'cleared' | 'unresolved' | 'all';
  readonly limit?: number;
}

export async function listAlerts(db: Knex, query: AlertQuery = {}): Promise<readonly Alert[]> {
  const rows: unknown[] = await db('alerts')
    .modify((q) => {
      if (query.source !== undefined) q.where({ source: query.source });
      const status = query.status ?? 'unresolved';
      if (status === 'unresolved') q.whereNot({ status: 'cleared' });
      else if (status !== 'all') q.where({ status });
    })
    .orderBy('raised_at', 'desc')
    .limit(query.limit ?? 200);
  return rows.map((r) => alertRowSchema.parse(r));
}

/**
 * Acknowledges an alert (`alert.acked` in the ledger): someone is on it. Acknowledging an
 * acknowledged alert changes nothing and says so; a cleared one cannot be acknowledged.
 */
export async function ackAlert(db: Knex, request: { readonly alertId: string; readonly source: string; readonly actor: string; readonly comment: string }): Promise<{ readonly changed: boolean; readonly alert: Alert }> {
  return db.transaction(async (trx) => {
    const row: unknown = await trx('alerts').where({ id: request.alertId }).forUpdate().first();
    // The caller was authorized on `source`: an alert of another source is as good as absent.
    if (!row || (row as { source: string }).source !== request.source) {
      throw new RestorepointError('ALERT_NOT_FOUND', `no alert "${request.alertId}" of source "${request.source}"`, { alertId: request.alertId });
    }
    const current = alertRowSchema.parse(row);
    if (current.status !== 'open') return { changed: false, alert: current };
    const [updated] = await trx('alerts').where({ id: request.alertId }).update({ status: 'acked', acked_at: trx.fn.now(), acked_by: request.actor, ack_comment: request.comment }).returning('*');
    await appendLedger(trx, { actor: request.actor, action: 'alert.acked', subject: request.alertId, outcome: 'ok', details: { comment: request.comment, kind: current.kind, source: current.source } });
    return { changed: true, alert: alertRowSchema.parse(updated) };
  });
}

/** Alerts whose state no webhook delivery has announced yet: raised ones still open, and cleared ones announced as raised. */
export async function undeliveredAlerts(db: Knex, source: string): Promise<readonly string[]> {
  const rows = (await db('alerts')
    .where({ source })
    .andWhere((q) => q.where((o) => o.where({ status: 'open' }).whereNull('notified')).orWhere((c) => c.where({ status: 'cleared', notified: 'raised' })))
    .orderBy('raised_at')
    .select('id')) as { id: string }[];
  return rows.map((r) => r.id);
}

/** Records that a delivery announced `state` (or that there is nowhere to deliver, which counts the same). */
export async function markNotified(db: Knex, alertId: string, state: 'raised' | 'cleared'): Promise<void> {
  await db('alerts').where({ id: alertId }).update({ notified: state });
}

export async function countDeliveryAttempt(db: Knex, alertId: string): Promise<void> {
  await db('alerts').where({ id: alertId }).increment('delivery_attempts', 1);
}

/** Unresolved alerts by source and kind: the `restorepoint_alerts_open` gauge. */
export async function openAlertCounts(db: Knex): Promise<readonly { readonly source: string; readonly kind: string; readonly count: number }[]> {
  const rows = (await db('alerts').whereNot({ status: 'cleared' }).groupBy('source', 'kind').select('source', 'kind').count({ n: '*' })) as { source: string; kind: string; n: string | number }[];
  return rows.map((r) => ({ source: r.source, kind: r.kind, count: Number(r.n) }));
}
