import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startExport } from '../../client/exports';
import { runRetention } from '../../client/retention';
import { rollbackHandle, startRollback } from '../../client/rollbacks';
import { trackTables } from '../../trail/track';
import { waitForStage } from '../rollback/rollback-world';
import { failureType, startIdentityWorld, type IdentityWorld } from './identity-world';

/** Roles hold per source: the worker checks each request against the verified caller's roles on that source. */
describe('roles are enforced per source in the worker', () => {
  let w: IdentityWorld;
  before(async () => {
    w = await startIdentityWorld();
  });
  after(async () => {
    await w?.close();
  });

  it('a viewer exporting is refused PERMISSION_DENIED, ledgered, and no export exists; an exporter of a may export a', async () => {
    const viewer = await w.clientAs('victor', { a: ['viewer'] });
    const refused = await startExport(viewer, { source: 'a', destination: `file://${w.folder}/viewer` });
    assert.equal(await failureType(refused.result()), 'PERMISSION_DENIED');
    const [denied] = (await w.ledger(refused.exportId)).filter((e) => e.action === 'auth.denied');
    assert.equal(denied?.actor, 'victor');
    assert.deepEqual([denied?.details.permission, denied?.details.resource, denied?.details.roles], ['export', 'a', ['viewer']]);
    assert.equal((await w.catalogRows('exports')).filter((r) => r.id === refused.exportId).length, 0);

    const exporter = await w.clientAs('erin', { a: ['exporter'] });
    const onB = await startExport(exporter, { source: 'b', destination: `file://${w.folder}/erin` });
    assert.equal(await failureType(onB.result()), 'PERMISSION_DENIED', 'exporter of a, not of b');
    const onA = await startExport(exporter, { source: 'a', destination: `file://${w.folder}/erin`, requestedBy: 'someone-else' });
    assert.equal(await failureType(onA.result()), null);
    const row = (await w.catalogRows('exports')).find((r) => r.id === onA.exportId);
    assert.equal(row?.requested_by, 'erin', 'recorded as the verified subject, not the name typed');
    const granted = (await w.ledger(onA.exportId)).find((e) => e.action === 'auth.granted');
    assert.deepEqual([granted?.actor, granted?.details.method, typeof granted?.details.tokenId, granted?.details.roles], ['erin', 'oidc-jwt', 'string', ['exporter']]);
    assert.equal(typeof (granted?.details.machine as { host?: unknown }).host, 'string');
  });

  it('retention run needs its role on every source; a restorer of one source is refused', async () => {
    const restorer = await w.clientAs('rita', { a: ['restorer'] });
    await assert.rejects(runRetention(restorer, { dryRun: false, policy: { keepLast: 100 } }), (error: Error) => (error.cause as { type?: string }).type === 'PERMISSION_DENIED');
  });

  it('an approver of source a approving a rollback on source b is refused, ledgered, and the rollback still waits; the trail records the verified requester', async () => {
    const exportId = await w.exportOf('b');
    const db = new pg.Client({ connectionString: w.sources.b.url });
    await db.connect();
    await trackTables(db, ['public']).finally(() => db.end());
    await w.sql('b', "update item set name = 'broken' where id <= 5");
    const requester = await w.clientAs('rob', { b: ['restorer'] });
    const rollback = await startRollback(requester, { source: 'b', target: { exportId }, tables: ['item'], requestedBy: 'rob', reason: 'names broken' });
    await waitForStage(rollback, 'awaiting-approval');

    const approverOfA = await w.clientAs('amy', { a: ['approver'] });
    const decision = await rollbackHandle(approverOfA, rollback.rollbackId).decide('approve', 'amy', 'looks right');
    assert.equal(decision.accepted, false);
    assert.match(decision.reason ?? '', /^PERMISSION_DENIED: amy holds no role permitting rollback\.approve on b/);
    const status = await rollback.status();
    assert.equal(status.stage, 'awaiting-approval');
    assert.equal((await w.sql('b', "select count(*)::int as n from item where name = 'broken'")).rows[0].n, 5, 'nothing changed');
    const entries = await w.ledger(rollback.rollbackId);
    assert.ok(entries.some((e) => e.action === 'auth.denied' && e.actor === 'amy' && e.details.permission === 'rollback.approve'));
    assert.ok(entries.some((e) => e.action === 'rollback.decision.refused' && e.actor === 'amy'));

    const approverOfB = await w.clientAs('bea', { b: ['approver'] });
    assert.equal((await rollbackHandle(approverOfB, rollback.rollbackId).decide('approve', 'bea', 'ok')).accepted, true);
    const final = await rollback.result();
    assert.equal(final.stage, 'done', final.outcome ?? '');
    assert.equal((await w.sql('b', "select count(*)::int as n from item where name = 'broken'")).rows[0].n, 0);
    const applied = await w.sql('b', "select distinct actor from restorepoint_trail.change where op = 'update' and new_row->>'name' <> 'broken'");
    assert.deepEqual(applied.rows.map((r) => r.actor), ['rob'], 'the rollback\'s changes carry the verified requester, not the database user');
  });
});
