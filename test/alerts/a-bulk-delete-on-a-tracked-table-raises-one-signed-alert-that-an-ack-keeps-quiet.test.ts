import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { listAlerts } from '../../catalog/alerts-repo';
import { listLedger } from '../../catalog/ledger';
import { acknowledgeAlert, runAlertWatch } from '../../client/alerts';
import { connectClient } from '../../client/connect';
import { tokenFor } from '../support/identity';
import { inTransactionAs, trackedPagila, type TrackedPagila } from '../trail/tracked-pagila';
import { startAlertWorld, type AlertWorld } from './alert-world';

describe('a bulk delete on a tracked Pagila table raises exactly one alert, delivered signed and without row values; an ack keeps it from firing again', () => {
  let pagila: TrackedPagila;
  let aw: AlertWorld;
  before(async () => {
    pagila = await trackedPagila(['public']);
    // The first delivery is refused: the activity's retry delivers it.
    aw = await startAlertWorld({ app: pagila.db.url }, { alerts: { windowSeconds: 60, historyWindows: 10 }, statuses: [503] });
  });
  after(async () => {
    await aw?.close();
    await pagila?.close();
  });

  it('names the table, the actor and the count, proposes a scoped revert, and reaches the ledger, the metric and the webhook', async () => {
    // Ordinary work by someone else first: a few edits never alert.
    await inTransactionAs(pagila.client, 'clerk@app', ["update customer set last_update = now() where customer_id <= 20", 'delete from payment where payment_id in (select payment_id from payment order by payment_id desc limit 5)']);
    assert.deepEqual((await runAlertWatch(aw.client, { sources: ['app'] })).raised, []);

    const sample = (await pagila.client.query<{ row: string }>('select to_jsonb(p)::text as row from payment p order by payment_id limit 1')).rows[0]!.row;
    await inTransactionAs(pagila.client, 'intern@app', ['delete from payment where payment_id in (select payment_id from payment order by payment_id limit 10000)']);
    const summary = await runAlertWatch(aw.client, { sources: ['app'] });
    assert.equal(summary.raised.length, 1, JSON.stringify(summary));
    assert.deepEqual(summary.errors, []);

    const [alert] = await listAlerts(aw.catalog, { source: 'app' });
    assert.ok(alert);
    assert.equal(alert.id, summary.raised[0]);
    assert.equal(alert.kind, 'mass-delete');
    assert.equal(alert.table, 'public.payment');
    assert.equal(alert.actor, 'intern@app');
    // The clerk's five deletes fell in the same window: counted, but the revert is scoped to the intern (over 90% of them).
    assert.equal(alert.counts.changes, 10005);
    assert.deepEqual(alert.counts.actors, { 'intern@app': 10000, 'clerk@app': 5 });
    assert.match(alert.proposal ?? '', /^restorepoint revert --source app --actor intern@app --table public\.payment --since \S+ --until \S+ --snapshot-to /);

    const [raised] = await listLedger(aw.catalog, { subject: alert.id, action: 'alert.raised' });
    assert.equal((raised?.details as { counts?: { changes?: number } }).counts?.changes, 10005);
    assert.match(await aw.metrics.registry.getSingleMetricAsString('restorepoint_alerts_total'), /restorepoint_alerts_total\{source="app",kind="mass-delete"\} 1/);

    // Refused once (503), then delivered: the same signed body both times.
    assert.deepEqual(aw.deliveries.map((d) => d.status), [503, 200]);
    const delivered = aw.deliveries[1]!;
    const timestamp = String(delivered.headers['x-restorepoint-timestamp']);
    const expected = `v1=${createHmac('sha256', aw.secret).update(`${timestamp}.${delivered.body}`).digest('hex')}`;
    assert.equal(delivered.headers['x-restorepoint-signature'], expected);
    assert.equal(delivered.headers['x-restorepoint-delivery'], `${alert.id}.raised`);
    const body = JSON.parse(delivered.body) as { text: string; alert: Record<string, unknown> };
    assert.match(body.text, /10005 rows of public\.payment deleted by intern@app/);
    assert.equal(body.alert.table, 'public.payment');
    assert.equal(body.alert.proposal, alert.proposal);
    // No row value: neither a deleted row's fields nor its amounts or dates.
    const row = JSON.parse(sample) as Record<string, unknown>;
    for (const [column, value] of Object.entries(row)) {
      if (column === 'payment_id' || column === 'customer_id' || column === 'staff_id' || column === 'rental_id') continue;
      assert.ok(!delivered.body.includes(String(value)), `the payload holds ${column}'s value`);
    }
    assert.ok(!/old_row|new_row|amount|payment_date/.test(delivered.body));

    assert.deepEqual((await runAlertWatch(aw.client, { sources: ['app'] })).raised, [], 'the same changes never raise twice');
  });

  it('is acknowledged only by a caller with alert.ack on the source, recorded in the ledger, and the window does not fire again', async () => {
    const [alert] = await listAlerts(aw.catalog, { source: 'app' });
    assert.ok(alert);
    const viewer = await connectClient(aw.config, { tokens: async () => tokenFor('val', { '*': ['viewer'] }) });
    try {
      await assert.rejects(acknowledgeAlert(viewer, aw.catalog, { alertId: alert.id }), (error: Error) => /PERMISSION_DENIED/.test(`${error.message} ${(error.cause as Error | undefined)?.message}`));
    } finally {
      await viewer.close();
    }
    const approver = await connectClient(aw.config, { tokens: async () => tokenFor('bob', { app: ['approver'] }) });
    try {
      const outcome = await acknowledgeAlert(approver, aw.catalog, { alertId: alert.id, comment: 'restoring from the proposal' });
      assert.deepEqual(outcome, { changed: true, alertId: alert.id, status: 'acked', ackedBy: 'bob' });
      assert.equal((await acknowledgeAlert(approver, aw.catalog, { alertId: alert.id })).changed, false);
    } finally {
      await approver.close();
    }
    const [acked] = await listLedger(aw.catalog, { subject: alert.id, action: 'alert.acked' });
    assert.equal(acked?.actor, 'bob');

    const again = await runAlertWatch(aw.client, { sources: ['app'] });
    assert.deepEqual(again.raised, [], JSON.stringify(await listAlerts(aw.catalog, { status: 'all' })));
    assert.equal((await listAlerts(aw.catalog, { source: 'app', status: 'all' })).length, 1);
    assert.equal(aw.deliveries.length, 2, 'an acknowledged alert is not delivered again');
  });
});
