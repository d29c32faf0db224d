import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { rollbackRecord, startRollback, undoRollback } from '../../client/rollbacks';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForDecisionOrEnd, waitForStage, type RollbackWorld } from './rollback-world';

/** Each table as a multiset: every distinct row with how many copies of it there are. */
async function multisets(url: string): Promise<unknown> {
  const events = await sql(url, 'select at::text, kind, amount::text, count(*)::int as copies from event_log group by 1, 2, 3 order by 1, 2, 3');
  const tags = await sql(url, 'select t.id, t.name, it.label, count(it.*)::int as copies from tag t left join item_tag it on it.tag_id = t.id group by 1, 2, 3 order by 1, 3');
  return { events: events.rows, tags: tags.rows };
}

describe('tables without a primary key are rolled back as multisets (regression: refused with "narrow the scope, or add a key")', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await scratchDatabase('rbkeyless');
    // event_log and item_tag have no primary key, as no-code tools create them; item_tag points at keyed tag.
    await sql(db.url, `create table event_log (at timestamp, kind text, amount numeric(12,2));
      insert into event_log values ('2026-11-22 10:00', 'A', 1.10), ('2026-11-22 10:00', 'A', 1.10), ('2026-11-22 10:00', 'A', 1.10),
        ('2026-11-22 11:00', 'B', 2.00), ('2026-11-22 12:00', 'C', 3.00), ('2026-11-22 12:00', 'C', 3.00);
      create table tag (id int primary key, name text);
      create table item_tag (tag_id int references tag (id), label text);
      insert into tag values (1, 'red'), (2, 'blue');
      insert into item_tag values (1, 'x'), (2, 'y'), (2, 'y'), (2, 'z')`);
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('previews copies to add and to remove, applies and validates them, and undoes them', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await multisets(db.url);
    await sql(db.url, `delete from event_log where ctid in (select ctid from event_log where kind = 'A' limit 2);
      update event_log set amount = 2.50 where kind = 'B';
      insert into event_log values ('2026-12-01 00:00', 'D', 4.00), ('2026-12-01 00:00', 'D', 4.00), ('2026-11-22 12:00', 'C', 3.00);
      delete from item_tag where tag_id = 2; delete from tag where id = 2`);
    const afterAccident = await multisets(db.url);

    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['event_log', 'tag', 'item_tag'], requestedBy: 'alice', reason: 'INC-keyless' });
    const waiting = await waitForStage(rollback, 'awaiting-approval');
    const byTable = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, t]));
    const events = byTable['public.event_log']!;
    assert.equal(events.multiset, true);
    // To add: the two deleted A copies and B as it was; to remove: B as edited, both D and the extra C.
    assert.deepEqual([events.inserts, events.updates, events.deletes], [3, 0, 4]);
    assert.equal(events.changedSinceTarget.reduce((s, c) => s + c.rows, 0), 4, 'the copies to remove were all written after the export');
    assert.deepEqual([byTable['public.item_tag']!.inserts, byTable['public.item_tag']!.deletes, byTable['public.tag']!.inserts], [3, 0, 1]);
    assert.equal(waiting.preview!.totals.conflicts, 0);

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const samples = (await rollbackRecord(catalog, rollback.rollbackId)).samples!.find((s) => s.table === 'public.event_log')!;
      assert.deepEqual(samples.inserts.map((i) => [i.after, i.copies]), [
        [{ at: '2026-11-22 10:00:00', kind: 'A', amount: '1.10' }, 2],
        [{ at: '2026-11-22 11:00:00', kind: 'B', amount: '2.00' }, 1],
      ]);
      assert.deepEqual(samples.deletes.map((d) => [d.before, d.copies]), [
        [{ at: '2026-11-22 11:00:00', kind: 'B', amount: '2.50' }, 1],
        [{ at: '2026-11-22 12:00:00', kind: 'C', amount: '3.00' }, 1],
        [{ at: '2026-12-01 00:00:00', kind: 'D', amount: '4.00' }, 2],
      ]);
      assert.deepEqual(samples.inserts[0]!.key, samples.inserts[0]!.after, 'a keyless row is named by its whole value');
      const shown = await runCli(worldCliEnv(rw.world), ['rollback', 'preview', rollback.rollbackId]);
      assert.match(shown.stdout, /public\.event_log has no primary key: compared as a multiset .* 3 rows to add, 4 rows to remove/);
      assert.match(shown.stdout, /delete \{"at":"2026-12-01 00:00:00","kind":"D","amount":"4.00"\} ×2/);

      await rollback.decide('approve', 'bob', 'ok');
      const done = await rollback.result();
      assert.equal(done.stage, 'done', done.outcome ?? '');
      assert.equal(done.validation!.ok, true);
      assert.deepEqual(await multisets(db.url), beforeAccident);

      const undo = await undoRollback(rw.client, catalog, rollback.rollbackId, { requestedBy: 'alice' });
      const undoPreview = await waitForStage(undo, 'awaiting-approval');
      assert.deepEqual(undoPreview.preview!.tables.find((t) => t.table === 'public.event_log')!.inserts, 4);
      await undo.decide('approve', 'carol', 'back to the accident, for forensics');
      assert.equal((await undo.result()).stage, 'done');
      assert.deepEqual(await multisets(db.url), afterAccident);
    } finally {
      await catalog.destroy();
    }
  });

  it('a keyless table cannot be narrowed by keys: refused in prepare, nothing changed', async () => {
    const exportId = await rw.exportApp();
    const now = await multisets(db.url);
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['event_log'], keys: { event_log: [{ kind: 'A' }] }, requestedBy: 'alice', reason: 'narrow' });
    const status = await waitForDecisionOrEnd(rollback);
    assert.equal(status.stage, 'failed');
    assert.equal(status.failure?.code, 'INPUT_INVALID');
    assert.match(status.outcome ?? '', /public\.event_log has no primary key, so it cannot be narrowed/);
    assert.deepEqual(await multisets(db.url), now);
  });
});
