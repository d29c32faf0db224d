import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { getAlert } from '../catalog/alerts-repo';
import { ackAlertWorkflowId, type AlertWatchRequest } from '../core/alerts/alert';
import { RestorepointError } from '../core/errors';
import type { AlertWatchSummary } from '../workflows/alert-watch-workflow';
import type { RestorepointClient } from './connect';

export interface AckOutcome {
  readonly changed: boolean;
  readonly alertId: string;
  readonly status: string;
  readonly ackedBy: string | null;
}

/**
 * Acknowledges an alert through the worker, which checks that the caller holds `alert.ack` on
 * the alert's source and records the verified subject (catalog and ledger). The source is read
 * from the catalog here only to name the resource; the worker checks it again.
 */
export async function acknowledgeAlert(client: RestorepointClient, db: Knex, request: { readonly alertId: string; readonly comment?: string; readonly as?: string }): Promise<AckOutcome> {
  const alert = await getAlert(db, request.alertId);
  if (!alert) throw new RestorepointError('ALERT_NOT_FOUND', `no alert "${request.alertId}" in the catalog`, { alertId: request.alertId });
  return (await client.temporal.workflow.execute('ackAlertWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: ackAlertWorkflowId(alert.id, randomUUID().slice(0, 8)),
    args: [{ alertId: alert.id, source: alert.source, comment: request.comment ?? '' }, { credential: await client.credential(request.as) }],
  })) as AckOutcome;
}

/** One detection pass now (what `schedule detect` runs), waiting for its summary. */
export async function runAlertWatch(client: RestorepointClient, request: AlertWatchRequest = {}, as?: string): Promise<AlertWatchSummary> {
  return (await client.temporal.workflow.execute('alertWatchWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: `alert-watch-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`,
    args: [request, { credential: await client.credential(as) }],
  })) as AlertWatchSummary;
}
