import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { exportWorkflowId } from '../../core/export-input';
import { restoreWorkflowId } from '../../core/restore-input';
import type { RestorepointClient } from '../../client/connect';
import { failureType, startIdentityWorld, type IdentityWorld } from '../identity/identity-world';

type Event = temporal.api.history.v1.IHistoryEvent;

async function historyOf(client: RestorepointClient, workflowId: string): Promise<readonly Event[]> {
  return (await client.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The activity types a history scheduled as activity tasks, in order. */
const scheduled = (events: readonly Event[]): string[] => events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name ?? ''] : []));

/** The activity types a history recorded as local-activity markers, in order (Core writes their description as plain JSON). */
function localSteps(events: readonly Event[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : [];
  });
}

/**
 * An export's and a restore's catalog and ledger steps (authorize, scope check, begin, trail
 * position, finish, ledger entries) run as local activities in the worker that runs the
 * workflow task, behind `export-short-steps-local` and `restore-short-steps-local`: only the
 * data activity is an activity task, the steps still write what they wrote, and a refusal
 * still fails the run typed before anything is recorded.
 */
describe('short export and restore steps run as local activities beside the workflow', () => {
  let w: IdentityWorld;
  let admin: RestorepointClient;
  before(async () => {
    w = await startIdentityWorld();
    admin = await w.clientWith(w.world.adminToken);
  });
  after(async () => {
    await w?.close();
  });

  it('an export schedules only its data activity and still records its catalog row and ledger entries', async () => {
    const handle = await startExport(admin, { source: 'a', destination: `file://${w.folder}/local-steps` });
    const summary = await handle.result();
    const events = await historyOf(admin, exportWorkflowId(handle.exportId));
    assert.deepEqual(scheduled(events), ['exportData']);
    assert.deepEqual(localSteps(events), ['authorize', 'checkScope', 'beginExport', 'sealTrailForExport', 'recordFullTrailPosition', 'finishExport']);

    const row = (await w.catalogRows('exports')).find((r) => r.id === handle.exportId);
    assert.deepEqual([row?.status, row?.manifest_sha256], ['succeeded', summary.manifestSha256]);
    const actions = (await w.ledger(handle.exportId)).map((e) => e.action);
    for (const action of ['auth.granted', 'export.requested', 'export.started', 'export.finished']) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  });

  it('a restore schedules only its data activity and still ledgers its start and finish', async () => {
    const exportId = await w.exportOf('a');
    const restore = await startRestore(admin, { exportId, target: 'b', targetSchema: 'restored', tables: ['item'] });
    await restore.result();
    const events = await historyOf(admin, restoreWorkflowId(restore.restoreId));
    assert.deepEqual(scheduled(events), ['restoreExport']);
    assert.deepEqual(localSteps(events), ['authorize', 'recordLedger', 'recordLedger']);
    const actions = (await w.ledger(exportId)).map((e) => e.action);
    for (const action of ['restore.started', 'restore.finished']) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  });

  it('a caller without the role is refused PERMISSION_DENIED by the local authorize step: nothing scheduled, no export recorded', async () => {
    const viewer = await w.clientAs('vera', { a: ['viewer'] });
    const refused = await startExport(viewer, { source: 'a', destination: `file://${w.folder}/refused` });
    assert.equal(await failureType(refused.result()), 'PERMISSION_DENIED');
    const events = await historyOf(admin, exportWorkflowId(refused.exportId));
    assert.deepEqual(scheduled(events), []);
    assert.deepEqual(localSteps(events), ['authorize']);
    assert.deepEqual((await w.ledger(refused.exportId)).map((e) => [e.action, e.actor]), [['auth.denied', 'vera']]);
    assert.equal((await w.catalogRows('exports')).filter((r) => r.id === refused.exportId).length, 0);
  });
});
