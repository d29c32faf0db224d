import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

async function state(url: string): Promise<unknown> {
  return {
    orders: (await sql(url, 'select * from orders order by id')).rows,
    lines: (await sql(url, 'select * from order_line order by id')).rows,
    notes: (await sql(url, 'select * from line_note order by body')).rows,
  };
}

describe('a rollback preview names rows outside its scope that cascades removed or changed (regression: "conflicts: none")', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await scratchDatabase('rbcascade');
    await sql(db.url, `create table orders (id int primary key, customer text);
      create table order_line (id int primary key, order_id int not null references orders (id) on delete cascade, qty int);
      create table line_note (line_id int references order_line (id) on delete set null, body text);
      insert into orders values (1, 'ann'), (2, 'bo'), (3, 'cy');
      insert into order_line values (10, 1, 1), (11, 1, 2), (20, 2, 5), (30, 3, 7);
      insert into line_note values (10, 'fragile'), (20, 'gift'), (30, 'rush')`);
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('a preview scoped to a parent table says which children a cascade removed, and how to widen the scope', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await state(db.url);
    // The accident: two orders deleted; PostgreSQL removes their three lines and unlinks two notes. A later edit elsewhere is no cascade's.
    await sql(db.url, 'delete from orders where id in (1, 2); update order_line set qty = 8 where id = 30');

    const narrow = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['orders'], requestedBy: 'alice', reason: 'INC-cascade', rollbackId: 'rb-parent-only' });
    const preview = (await waitForStage(narrow, 'awaiting-approval')).preview!;
    assert.equal(preview.tables[0]!.inserts, 2);
    assert.deepEqual(
      preview.outsideScope!.map((o) => [o.table, o.removed, o.changed]),
      [['public.line_note', 2, 0], ['public.order_line', 3, 0]],
    );
    assert.equal(preview.totals.outsideScope, 5);
    assert.match(preview.outsideScope!.find((o) => o.table === 'public.order_line')!.via[0]!, /on delete cascade/);
    const shown = await runCli(worldCliEnv(rw.world), ['rollback', 'preview', 'rb-parent-only']);
    assert.match(shown.stdout, /OUTSIDE THE SCOPE/);
    assert.match(shown.stdout, /public\.order_line: 3 removed, 0 changed/);
    assert.match(shown.stdout, /widen the scope to put them back too: --tables public\.orders,public\.order_line/);
    assert.match(shown.stdout, /conflicts: none \(but see the rows outside the scope above\)/);
    await narrow.decide('reject', 'bob', 'widen it');
    assert.equal((await narrow.result()).stage, 'rejected');

    const wide = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['orders', 'order_line', 'line_note'], requestedBy: 'alice', reason: 'INC-cascade, widened' });
    const widePreview = (await waitForStage(wide, 'awaiting-approval')).preview!;
    assert.deepEqual(widePreview.outsideScope, []);
    await wide.decide('approve', 'bob', 'ok');
    assert.equal((await wide.result()).stage, 'done');
    assert.deepEqual(await state(db.url), beforeAccident);
  });
});
