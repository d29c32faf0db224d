import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeHold } from '../../client/holds';
import { startReconstruct } from '../../client/point-in-time';
import { rollbackHandle, startRollback } from '../../client/rollbacks';
import { describeSchedule, removeSchedule, saveSchedule, type ScheduleRequest } from '../../client/schedules';
import { changeTracking } from '../../client/tracking';
import { startVerification } from '../../client/verifications';
import { verificationWorkflowId, verifyExportInputSchema } from '../../core/verification/verification-input';
import type { CallerCredential } from '../../identity/principal';
import { waitForStage } from '../rollback/rollback-world';
import { failureType, startIdentityWorld, type IdentityWorld } from './identity-world';

/**
 * The actions authorized last (issue 12): legal holds, verify, reconstruct, track/untrack and
 * schedule create/delete. Each refusal is typed, changes nothing and is in the ledger; each
 * acceptance records the verified subject.
 */
describe('holds, verify, reconstruct, track and schedules are authorized in the worker', () => {
  let w: IdentityWorld;
  let exportId: string;
  before(async () => {
    w = await startIdentityWorld();
  });
  after(async () => {
    await w?.close();
  });

  /** The auth.denied entries of this world's ledger for `permission`, oldest first. */
  const denials = async (permission: string) => (await w.ledger()).filter((e) => e.action === 'auth.denied' && e.details.permission === permission);
  const trailInstalled = async (source: 'a' | 'b') => (await w.sql(source, "select to_regclass('restorepoint_trail.change') is not null as installed")).rows[0].installed as boolean;

  it('track needs trail.track on the source: a restorer is refused and no trail is installed; an admin of a tracks a', async () => {
    const restorer = await w.clientAs('rhea', { a: ['restorer'] });
    assert.equal(await failureType(changeTracking(restorer, { source: 'a', targets: ['public'], change: 'track' })), 'PERMISSION_DENIED');
    assert.equal(await trailInstalled('a'), false, 'nothing changed');
    const [denied] = await denials('trail.track');
    assert.deepEqual([denied?.actor, denied?.subject, denied?.details.resource, denied?.details.code], ['rhea', 'trail:a', 'a', 'PERMISSION_DENIED']);

    const adminOfB = await w.clientAs('bo', { b: ['admin'] });
    assert.equal(await failureType(changeTracking(adminOfB, { source: 'a', targets: ['public'], change: 'track' })), 'PERMISSION_DENIED', 'admin of b, not of a');

    const admin = await w.clientAs('ada', { a: ['admin'] });
    const tables = await changeTracking(admin, { source: 'a', targets: ['public'], change: 'track' });
    assert.deepEqual(tables.map((t) => `${t.schema}.${t.name}`), ['public.item']);
    const tracked = (await w.ledger('trail:a')).find((e) => e.action === 'trail.tracked');
    assert.deepEqual([tracked?.actor, tracked?.outcome, tracked?.details.tables], ['ada', 'ok', ['public.item']]);
  });

  it('verify needs verify on the export\'s source: a viewer and an exporter of b are refused and no run is recorded; an exporter of a verifies', async () => {
    exportId = await w.exportOf('a');
    for (const [subject, roles] of [['vic', { a: ['viewer'] }], ['eve', { b: ['exporter'] }]] as const) {
      const client = await w.clientAs(subject, roles);
      const run = await startVerification(client, { exportId, level: 'checksums', incremental: false });
      assert.equal(await failureType(run.result()), 'PERMISSION_DENIED', subject);
    }
    assert.equal((await w.catalogRows('verification_runs')).length, 0, 'nothing changed');
    assert.deepEqual((await denials('verify')).map((e) => [e.actor, e.subject, e.details.resource]), [['vic', exportId, 'a'], ['eve', exportId, 'a']]);

    const exporter = await w.clientAs('ezra', { a: ['exporter'] });
    const report = await (await startVerification(exporter, { exportId, level: 'checksums', incremental: false })).result();
    assert.equal(report.status, 'passed');
    const [run] = await w.catalogRows('verification_runs');
    assert.equal(run?.requested_by, 'ezra', 'recorded as the verified subject');
  });

  it('verify of an unknown export is refused by the client before anything starts; started directly, the worker needs verify on every source', async () => {
    const exporter = await w.clientAs('ezra', { a: ['exporter'] });
    // The client refuses an unknown id before starting anything (EXPORT_NOT_FOUND, issue 11); the worker is
    // the wall for a caller who skips the client, so the workflow is started directly.
    await assert.rejects(startVerification(exporter, { exportId: 'no-such-export', level: 'checksums', incremental: false }), { code: 'EXPORT_NOT_FOUND' });
    const input = verifyExportInputSchema.parse({ exportId: 'no-such-export', level: 'checksums', incremental: false, runId: 'no-such-export.direct' });
    const direct = await exporter.temporal.workflow.start('verifyExportWorkflow', { taskQueue: exporter.taskQueue, workflowId: verificationWorkflowId(input.runId), args: [input, { credential: await exporter.credential() }] });
    assert.equal(await failureType(direct.result()), 'PERMISSION_DENIED');
    assert.equal((await denials('verify')).at(-1)?.details.resource, '*');
  });

  it('hold add/remove need hold.add/hold.remove on the export\'s source; refusals leave the hold as it was', async () => {
    const viewer = await w.clientAs('vic', { a: ['viewer'] });
    assert.equal(await failureType(changeHold(viewer, { exportId, change: 'add', reason: 'case 7' })), 'PERMISSION_DENIED');
    assert.equal((await w.catalogRows('legal_holds')).length, 0, 'nothing changed');
    assert.equal((await denials('hold.add')).at(-1)?.actor, 'vic');

    const admin = await w.clientAs('ada', { a: ['admin'] });
    const placed = await changeHold(admin, { exportId, change: 'add', reason: 'case 7', requestedBy: 'someone-else' });
    assert.deepEqual([placed.changed, placed.hold?.placedBy], [true, 'ada'], 'placed by the verified subject, not the name typed');

    for (const [subject, roles] of [['rita', { a: ['restorer'] }], ['bo', { b: ['admin'] }]] as const) {
      const client = await w.clientAs(subject, roles);
      assert.equal(await failureType(changeHold(client, { exportId, change: 'remove', reason: 'done' })), 'PERMISSION_DENIED', subject);
    }
    const [hold] = await w.catalogRows('legal_holds');
    assert.equal(hold?.released_at, null, 'still held');
    assert.deepEqual((await denials('hold.remove')).map((e) => e.actor), ['rita', 'bo']);

    const released = await changeHold(admin, { exportId, change: 'remove', reason: 'case closed' });
    assert.deepEqual([released.changed, released.hold?.releasedBy], [true, 'ada']);
    assert.deepEqual((await w.ledger(exportId)).filter((e) => e.action.startsWith('hold.')).map((e) => [e.action, e.actor]), [['hold.placed', 'ada'], ['hold.released', 'ada']]);
  });

  it('reconstruct needs restore on its target: a restorer of a rebuilding into b is refused and b is untouched; a restorer of b rebuilds', async () => {
    const at = new Date().toISOString();
    const restorerOfA = await w.clientAs('rita', { a: ['restorer'] });
    const refused = await startReconstruct(restorerOfA, { source: 'a', at, target: 'b', targetSchema: 'then', tables: [] });
    assert.equal(await failureType(refused.result()), 'PERMISSION_DENIED');
    assert.equal((await w.sql('b', "select to_regnamespace('then') is null as absent")).rows[0].absent, true, 'nothing changed');
    const denied = (await denials('restore')).at(-1);
    assert.deepEqual([denied?.actor, denied?.subject, denied?.details.resource], ['rita', `reconstruct:${refused.reconstructionId}`, 'b']);

    const restorerOfB = await w.clientAs('rob', { b: ['restorer'] });
    const done = await (await startReconstruct(restorerOfB, { source: 'a', at, target: 'b', targetSchema: 'then', tables: [] })).result();
    assert.equal(done.baseExportId, exportId);
    assert.equal((await w.sql('b', 'select count(*)::int as n from "then".item')).rows[0].n, 20);
    const started = (await w.ledger(`reconstruct:${done.reconstructionId}`)).find((e) => e.action === 'reconstruct.started');
    assert.equal(started?.actor, 'rob');
  });

  it('schedule create/delete need schedule.create/schedule.delete on what the schedule acts on; its runs get a least-privilege token that cannot approve', async () => {
    const schedule: ScheduleRequest = {
      scheduleId: 'nightly-a',
      kind: 'export',
      timing: { cron: '0 2 * * *' },
      workflowType: 'scheduledExportWorkflow',
      args: [{ export: { source: 'a', destination: `file://${w.folder}/nightly`, schemas: [], tables: [], exclude: [], format: 'csv', compression: 'zstd', tags: {}, requestedBy: 'schedule:nightly-a' } }],
      description: 'full export of a nightly',
      resource: 'a',
    };
    const exporter = await w.clientAs('ezra', { a: ['exporter'] });
    assert.equal(await failureType(saveSchedule(exporter, schedule)), 'PERMISSION_DENIED');
    assert.equal(await describeSchedule(exporter, 'nightly-a'), null, 'no schedule was created');
    assert.equal((await denials('schedule.create')).at(-1)?.actor, 'ezra');

    const admin = await w.clientAs('ada', { a: ['admin'] });
    const saved = await saveSchedule(admin, schedule);
    assert.deepEqual([saved.created, saved.service.subject, saved.service.roles], [true, 'schedule:nightly-a', { a: ['exporter'] }]);
    const created = (await w.ledger('schedule:nightly-a')).find((e) => e.action === 'schedule.created');
    assert.equal(created?.actor, 'ada');
    assert.deepEqual((created?.details.serviceIdentity as { roles: unknown; tokenId: unknown }).roles, { a: ['exporter'] });
    assert.equal(typeof (created?.details.serviceIdentity as { tokenId: unknown }).tokenId, 'string');

    // The token each run presents, as stored (encrypted) in the schedule: read back with the payload key.
    const action = (await admin.temporal.schedule.getHandle('nightly-a').describe()).action as { args: unknown[] };
    const { token } = (action.args.at(-1) as { credential: CallerCredential }).credential;
    assert.ok(token, 'the schedule carries a service token');
    const requester = await w.clientAs('rob', { a: ['restorer'] });
    const rollback = await startRollback(requester, { source: 'a', target: { exportId }, tables: ['item'], requestedBy: 'rob', reason: 'least privilege check' });
    await waitForStage(rollback, 'awaiting-approval');
    const asSchedule = await w.clientWith(token);
    const decision = await rollbackHandle(asSchedule, rollback.rollbackId).decide('approve', 'schedule:nightly-a', 'approving as a schedule');
    assert.equal(decision.accepted, false);
    assert.match(decision.reason ?? '', /^PERMISSION_DENIED: schedule:nightly-a holds no role permitting rollback\.approve on a/);
    assert.equal((await rollback.status()).stage, 'awaiting-approval', 'the rollback still waits');
    await rollbackHandle(admin, rollback.rollbackId).decide('reject', 'ada', 'test done');

    assert.equal(await failureType(removeSchedule(exporter, 'nightly-a')), 'PERMISSION_DENIED');
    assert.notEqual(await describeSchedule(admin, 'nightly-a'), null, 'still scheduled');
    assert.equal((await denials('schedule.delete')).at(-1)?.details.resource, 'a', 'judged on the resource recorded with the schedule');
    assert.equal(await removeSchedule(admin, 'nightly-a'), true);
    assert.equal(await describeSchedule(admin, 'nightly-a'), null);
    assert.ok((await w.ledger('schedule:nightly-a')).some((e) => e.action === 'schedule.deleted' && e.actor === 'ada'));
  });

  it('untrack needs trail.untrack: an exporter is refused and a stays tracked; an admin of a untracks it', async () => {
    const exporter = await w.clientAs('ezra', { a: ['exporter'] });
    assert.equal(await failureType(changeTracking(exporter, { source: 'a', targets: ['public'], change: 'untrack' })), 'PERMISSION_DENIED');
    const triggers = async () => (await w.sql('a', "select count(*)::int as n from pg_trigger where tgrelid = 'public.item'::regclass and not tgisinternal")).rows[0].n as number;
    assert.ok((await triggers()) > 0, 'still tracked');
    assert.equal((await denials('trail.untrack')).at(-1)?.actor, 'ezra');

    const admin = await w.clientAs('ada', { a: ['admin'] });
    await changeTracking(admin, { source: 'a', targets: ['public'], change: 'untrack' });
    assert.equal(await triggers(), 0);
    assert.equal((await w.ledger('trail:a')).find((e) => e.action === 'trail.untracked')?.actor, 'ada');
  });
});
