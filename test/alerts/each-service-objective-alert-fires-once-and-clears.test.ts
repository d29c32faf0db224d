import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listAlerts } from '../../catalog/alerts-repo';
import { markExport, upsertExport } from '../../catalog/exports-repo';
import { listLedger } from '../../catalog/ledger';
import { finishRun, startRun } from '../../catalog/verification-repo';
import { runAlertWatch } from '../../client/alerts';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { sealTrail, trackTables } from '../../trail';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startAlertWorld, type AlertWorld } from './alert-world';

describe('each service objective raises one alert while it is missed and clears it once met', () => {
  let source: ScratchDatabase;
  let aw: AlertWorld;
  let n = 0;
  before(async () => {
    source = await scratchDatabase('slo');
    aw = await startAlertWorld({ app: source.url }, { alerts: { failedExportsStreak: 2, trailSealMaxAgeSeconds: 1 }, rpoTargetSeconds: { app: 3600 } });
  });
  after(async () => {
    await aw?.close();
    await source?.drop();
  });

  const watch = async () => {
    const summary = await runAlertWatch(aw.client, { sources: ['app'] });
    assert.deepEqual(summary.errors, []);
    return summary;
  };
  const kindOf = async (id: string) => (await listAlerts(aw.catalog, { status: 'all' })).find((a) => a.id === id)?.kind;
  const finishedExport = async (status: 'succeeded' | 'failed') => {
    const id = `app-slo-${++n}`;
    await upsertExport(aw.catalog, { id, mode: 'full', source: 'app', destination: 'file:///tmp/rp-slo', format: 'csv', compression: 'zstd', requestedBy: 'test' });
    await markExport(aw.catalog, id, 'running');
    await markExport(aw.catalog, id, status, status === 'failed' ? { error: 'the source refused' } : { rows: 1, bytes: 1, tablesCount: 1 });
    return id;
  };
  const delivered = () => aw.deliveries.filter((d) => d.status === 200).map((d) => String(d.headers['x-restorepoint-delivery']));

  it('no good export within the RPO target, then two failed exports in a row: one alert each, however often checked', async () => {
    const first = await watch();
    assert.equal(first.raised.length, 1);
    assert.equal(await kindOf(first.raised[0]!), 'slo-rpo');
    assert.deepEqual((await watch()).raised, []);

    await finishedExport('failed');
    assert.deepEqual((await watch()).raised, [], 'one failure is not a streak');
    await finishedExport('failed');
    const streak = await watch();
    assert.equal(streak.raised.length, 1);
    assert.equal(await kindOf(streak.raised[0]!), 'slo-export-failures');
    assert.deepEqual((await watch()).raised, []);
    assert.deepEqual(delivered(), [`${first.raised[0]}.raised`, `${streak.raised[0]}.raised`]);
  });

  it('the CLI lists them and acknowledges one as the token\'s subject; a good export then clears both, announced to the webhook and recorded in the ledger', async () => {
    const [rpo, failures] = (await listAlerts(aw.catalog, { source: 'app' })).map((a) => a.id).reverse();
    const env = worldCliEnv(aw.world);
    const listed = await runCli(env, ['alerts', 'list', '--source', 'app', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { id: string; status: string }[]).map((a) => [a.id, a.status]), [[failures, 'open'], [rpo, 'open']]);
    const acked = await runCli(env, ['alerts', 'ack', rpo!, '--comment', 'nightly export is being fixed', '--json']);
    assert.equal(acked.code, 0, acked.stderr);
    assert.deepEqual(JSON.parse(acked.stdout), { ok: true, changed: true, alertId: rpo, status: 'acked', ackedBy: 'test-admin' });
    const unknown = await runCli(env, ['alerts', 'ack', 'alert-none', '--json']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout + unknown.stderr, /ALERT_NOT_FOUND/);

    const exportId = await finishedExport('succeeded');
    const cleared = await watch();
    assert.deepEqual([...cleared.cleared].sort(), [rpo, failures].sort());
    assert.deepEqual(await listAlerts(aw.catalog, { source: 'app' }), [], 'nothing unresolved');
    assert.deepEqual(delivered().slice(2).sort(), [`${rpo}.cleared`, `${failures}.cleared`].sort());
    for (const id of [rpo!, failures!]) assert.equal((await listLedger(aw.catalog, { subject: id, action: 'alert.cleared' })).length, 1);
    assert.deepEqual((await watch()).cleared, []);

    // A failed verification of it raises its own alert once; a later passing one clears it.
    await startRun(aw.catalog, { id: 'slo-verify-1', exportId, level: 'checksums', requestedBy: 'test', incremental: false });
    await finishRun(aw.catalog, 'slo-verify-1', 'failed');
    const failedVerification = await watch();
    assert.equal(failedVerification.raised.length, 1);
    assert.equal(await kindOf(failedVerification.raised[0]!), 'slo-verification');
    assert.deepEqual((await watch()).raised, []);
    await startRun(aw.catalog, { id: 'slo-verify-2', exportId, level: 'checksums', requestedBy: 'test', incremental: false });
    await finishRun(aw.catalog, 'slo-verify-2', 'passed');
    assert.deepEqual((await watch()).cleared, failedVerification.raised);

    const metric = await aw.metrics.registry.getSingleMetricAsString('restorepoint_alerts_total');
    for (const kind of ['slo-rpo', 'slo-export-failures', 'slo-verification']) assert.match(metric, new RegExp(`kind="${kind}"\\} 1`));
  });

  it('three rollbacks of a source in quick succession raise one rollback-burst alert, cleared once they are past', async () => {
    const rollback = (id: string) =>
      aw.catalog('rollbacks').insert({ id, source: 'app', target_export_id: 'app-slo-3', mode: 'in-place', tables: JSON.stringify(['public.t']), requested_by: 'test', reason: 'INC-9', stage: 'done' });
    await rollback('rb-burst-1');
    await rollback('rb-burst-2');
    assert.deepEqual((await watch()).raised, [], 'two are not a burst');
    await rollback('rb-burst-3');
    const burst = await watch();
    assert.equal(burst.raised.length, 1);
    assert.equal(await kindOf(burst.raised[0]!), 'rollback-burst');
    assert.deepEqual((await watch()).raised, []);
    // Time passes (the catalog's clock is not ours to move: the requests are dated back instead).
    await aw.catalog('rollbacks').where('id', 'like', 'rb-burst-%').update({ created_at: aw.catalog.raw("created_at - interval '1 hour'") });
    assert.deepEqual((await watch()).cleared, burst.raised);
  });

  it('a trail whose changes wait longer than the limit to be sealed raises one alert, cleared by sealing', async () => {
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    try {
      await client.query('create table note (id int primary key, body text)');
      await trackTables(client, ['public.note']);
      assert.deepEqual((await watch()).raised, [], 'a trail without pending changes needs no sealing');
      await client.query("insert into note values (1, 'x')");
      await sleep(1500);
      const stale = await watch();
      assert.equal(stale.raised.length, 1);
      assert.equal(await kindOf(stale.raised[0]!), 'slo-trail-seal');
      assert.deepEqual((await watch()).raised, []);
      await sealTrail(client);
      assert.deepEqual((await watch()).cleared, stale.raised);
    } finally {
      await client.end();
    }
  });
});
