import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createRollbackStepActivities } from '../../activities/rollback/rollback-steps';
import { createScheduleActivities } from '../../activities/schedules';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger, verifyLedger } from '../../catalog/ledger';
import { openStore } from '../../storage/open-store';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { refuseLedgerEntries } from './ledger-refusal';

/**
 * Steps whose change is not a catalog row cannot commit it with their ledger entry: deleting a
 * Temporal schedule, and a rollback step whose entry is the record. Here an attempt dies at the
 * ledger (a trigger refuses the entry, as a worker killed at that moment would leave it) or
 * completes without its completion reaching Temporal; the next attempt writes the entry, once.
 */
describe('a step beside the catalog writes its entry once, whatever attempt dies', () => {
  let world: TestWorld;
  let catalog: Knex;
  let schedules: ReturnType<typeof createScheduleActivities>;
  let rollbackSteps: ReturnType<typeof createRollbackStepActivities>;
  let dyingAtTheLedger: Awaited<ReturnType<typeof refuseLedgerEntries>>;

  before(async () => {
    world = await startTestWorld({});
    catalog = openCatalog(world.config.catalog.url);
    const deps = { config: world.config, catalog, openStore: (d: string) => openStore(d, world.config.gcs), clock: () => new Date() };
    schedules = createScheduleActivities(deps);
    rollbackSteps = createRollbackStepActivities(deps);
    dyingAtTheLedger = await refuseLedgerEntries(catalog);
  });

  after(async () => {
    await catalog?.destroy();
    await world?.close();
  });

  /** One attempt of an activity of the workflow `workflowId`, activity id `activityId`. */
  const attempt = (workflowId: string, activityId = '1') => new MockActivityEnvironment({ workflowExecution: { workflowId, runId: `${workflowId}-run` }, activityId });

  const actions = async (subject: string) => (await listLedger(catalog, { subject })).map((e) => e.action);

  async function createOurSchedule(scheduleId: string): Promise<void> {
    await world.env.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow', workflowType: 'scheduledVerificationWorkflow', args: [{ level: 'checksums' }], taskQueue: world.taskQueue, workflowId: scheduleId },
      memo: { restorepoint: 'verify', resource: '*' },
      state: { paused: true },
    });
  }

  const scheduleExists = async (scheduleId: string) =>
    world.env.client.schedule
      .getHandle(scheduleId)
      .describe()
      .then(() => true, () => false);

  it('a schedule deleted by an attempt that died before schedule.deleted gets its entry from the next attempt', async () => {
    await createOurSchedule('nightly-gone');
    const request = attempt('schedule-delete-nightly-gone-1');
    await dyingAtTheLedger(() => request.run(schedules.removeSchedule, { scheduleId: 'nightly-gone', by: 'ada' }), 'schedule.deleted');
    assert.equal(await scheduleExists('nightly-gone'), false, 'the dead attempt did delete it');
    assert.deepEqual(await actions('schedule:nightly-gone'), ['schedule.delete-requested']);

    // The retry finds the schedule gone and its own intent: the deletion was this request's.
    assert.equal(await request.run(schedules.removeSchedule, { scheduleId: 'nightly-gone', by: 'ada' }), true);
    // And once more, as when that attempt's completion was lost too.
    assert.equal(await request.run(schedules.removeSchedule, { scheduleId: 'nightly-gone', by: 'ada' }), true);
    const entries = await listLedger(catalog, { subject: 'schedule:nightly-gone' });
    assert.deepEqual(entries.map((e) => [e.action, e.actor, e.details.request]), [
      ['schedule.delete-requested', 'ada', 'schedule-delete-nightly-gone-1'],
      ['schedule.deleted', 'ada', 'schedule-delete-nightly-gone-1'],
    ]);
  });

  it('another request for a schedule already gone deletes nothing and writes nothing', async () => {
    assert.equal(await attempt('schedule-delete-nightly-gone-2').run(schedules.removeSchedule, { scheduleId: 'nightly-gone', by: 'bob' }), false);
    assert.deepEqual(await actions('schedule:nightly-gone'), ['schedule.delete-requested', 'schedule.deleted']);
  });

  it('an attempt that died before it deleted leaves the schedule and its intent; the retry deletes it with one intent', async () => {
    await createOurSchedule('hourly-kept');
    const request = attempt('schedule-delete-hourly-kept-1');
    await dyingAtTheLedger(() => request.run(schedules.removeSchedule, { scheduleId: 'hourly-kept', by: 'ada' }), 'schedule.delete-requested');
    assert.equal(await scheduleExists('hourly-kept'), true, 'no intent written, nothing deleted');
    assert.deepEqual(await actions('schedule:hourly-kept'), []);
    assert.equal(await request.run(schedules.removeSchedule, { scheduleId: 'hourly-kept', by: 'ada' }), true);
    assert.equal(await scheduleExists('hourly-kept'), false);
    assert.deepEqual(await actions('schedule:hourly-kept'), ['schedule.delete-requested', 'schedule.deleted']);
  });

  it('a rollback step run again after its completion was lost is written once; the next step gets its own entry', async () => {
    const step = { rollbackId: 'rb-once', actor: 'ada', action: 'rollback.approved', outcome: 'ok' as const, details: { approver: 'ada' } };
    const approval = attempt('rollback-rb-once', '7');
    await approval.run(rollbackSteps.recordRollbackStep, step);
    await approval.run(rollbackSteps.recordRollbackStep, step);
    // A later call of the workflow (another activity id) is another step, even with the same fields.
    await attempt('rollback-rb-once', '9').run(rollbackSteps.recordRollbackStep, step);
    const entries = await listLedger(catalog, { subject: 'rb-once' });
    assert.deepEqual(entries.map((e) => [e.action, e.details.approver, e.details.step]), [
      ['rollback.approved', 'ada', 'rollback-rb-once-run/7'],
      ['rollback.approved', 'ada', 'rollback-rb-once-run/9'],
    ]);
    assert.equal((await verifyLedger(catalog)).ok, true);
  });
});
