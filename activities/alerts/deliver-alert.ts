import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { countDeliveryAttempt, getAlert, markNotified } from '../../catalog/alerts-repo';
import type { Alert } from '../../core/alerts/alert';
import { RestorepointError } from '../../core/errors';
import type { ActivityDeps } from '../deps';

/** Header names a receiver verifies a delivery with (docs/observability.md, "Webhook"). */
export const SIGNATURE_HEADER = 'x-restorepoint-signature';
export const TIMESTAMP_HEADER = 'x-restorepoint-timestamp';
export const DELIVERY_HEADER = 'x-restorepoint-delivery';

const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * `v1=` and the hex HMAC-SHA256, keyed by the shared secret, of `<timestamp>.<body>`: the
 * timestamp is signed too, so a receiver can refuse an old delivery replayed.
 */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Slack-compatible JSON (`text`) with the alert's facts beside it: counts, names and the proposal, never a row value. */
export function deliveryBody(alert: Alert, state: 'raised' | 'cleared'): string {
  const icon = state === 'cleared' ? ':white_check_mark:' : ':rotating_light:';
  const lines = [`${icon} restorepoint ${state === 'cleared' ? 'cleared' : 'alert'} ${alert.kind} (${alert.id}): ${alert.summary}`];
  if (state === 'raised' && alert.proposal) lines.push(`Proposed (a preview awaiting approval; nothing has been changed): \`${alert.proposal}\``);
  return JSON.stringify({
    text: lines.join('\n'),
    alert: {
      id: alert.id,
      state,
      kind: alert.kind,
      source: alert.source,
      table: alert.table,
      operation: alert.operation,
      actor: alert.actor,
      windowStart: alert.windowStart.toISOString(),
      windowEnd: alert.windowEnd.toISOString(),
      counts: alert.counts,
      summary: alert.summary,
      proposal: alert.proposal,
      suggestedAction: suggestedAction(alert),
      raisedAt: alert.raisedAt.toISOString(),
    },
  });
}

function suggestedAction(alert: Alert): string {
  if (alert.proposal) return `check with ${alert.actor ?? 'the actors'}; if it was an accident, run the proposal for a preview, then approve it`;
  if (alert.kind === 'slo-rpo') return 'see why exports stopped succeeding (`restorepoint exports list --source`), then run one';
  if (alert.kind === 'rollback-burst') return 'see who rolls back what (`restorepoint rollback list --source`, the ledger): reverts in a loop may be fighting a writer';
  if (alert.kind === 'slo-trail-seal') return 'see why incremental exports stopped (`restorepoint schedule list`), or run `restorepoint trail seal --source`';
  if (alert.kind === 'slo-verification') return 'see the corrupt export (`restorepoint ledger list --action alert.export-corrupt`) and take a new export';
  return 'see the failed exports (`restorepoint exports list --source`) and their errors';
}

/**
 * Announces an alert's state (raised, or cleared) to the configured webhook, signed. A refusal
 * or no answer throws ALERT_UNDELIVERED, which Temporal retries; the alert's `notified` column
 * makes a repeated call a no-op once delivered. Without a webhook the alert is marked
 * announced: the catalog, ledger and metrics carry it.
 */
export async function deliverAlert(deps: ActivityDeps, request: { readonly alertId: string }): Promise<'delivered' | 'not-configured' | 'already-delivered'> {
  const alert = await getAlert(deps.catalog, request.alertId);
  if (!alert) throw new RestorepointError('ALERT_NOT_FOUND', `no alert "${request.alertId}"`, { alertId: request.alertId });
  const state = alert.status === 'cleared' ? 'cleared' : 'raised';
  const notified = ((await deps.catalog('alerts').where({ id: alert.id }).first('notified')) as { notified: string | null }).notified;
  if (notified === state || (state === 'raised' && alert.status === 'acked')) return 'already-delivered';
  const { webhookUrl, webhookSecretFile } = deps.config.alerts;
  if (!webhookUrl || !webhookSecretFile) {
    await markNotified(deps.catalog, alert.id, state);
    return 'not-configured';
  }
  const body = deliveryBody(alert, state);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = fs.readFileSync(webhookSecretFile, 'utf8').trim();
  await countDeliveryAttempt(deps.catalog, alert.id);
  let status: number;
  try {
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signDelivery(secret, timestamp, body), [DELIVERY_HEADER]: `${alert.id}.${state}` },
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    throw new RestorepointError('ALERT_UNDELIVERED', `alert ${alert.id}: the webhook did not answer (${error instanceof Error ? error.name : 'error'})`, { alertId: alert.id });
  }
  if (status < 200 || status >= 300) throw new RestorepointError('ALERT_UNDELIVERED', `alert ${alert.id}: the webhook answered HTTP ${status}`, { alertId: alert.id, status });
  await markNotified(deps.catalog, alert.id, state);
  return 'delivered';
}
