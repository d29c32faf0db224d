import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
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
      insert into line_note values (10, 'fragile'), (20, 'gift'), (30, 'rush');
      create table customers (id int primary key, code text not null unique);
      create table invoices (id int primary key, customer_code text references customers (code) on update cascade, total numeric(8,2));
      create table contacts (id int primary key, customer_code text references customers (code) on update set null, email text);
      create table notes (id int primary key, customer_code text default 'NONE' references customers (code) on update set default, body text);
      insert into customers values (0, 'NONE'), (1, 'ACME'), (2, 'BOLT');
      insert into invoices values (1, 'ACME', 10), (2, 'ACME', 20), (3, 'BOLT', 30);
      insert into contacts values (1, 'ACME', 'a@acme.test'), (2, 'BOLT', 'b@bolt.test');
      insert into notes values (1, 'ACME', 'call back'), (2, 'ACME', 'vip'), (3, 'BOLT', 'new')`);
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

  it('a parent key changed since the target names the children ON UPDATE CASCADE, SET NULL and SET DEFAULT changed, in the preview and status --json', async () => {
    const customers = async () => ({
      customers: (await sql(db.url, 'select * from customers order by id')).rows,
      invoices: (await sql(db.url, 'select * from invoices order by id')).rows,
      contacts: (await sql(db.url, 'select * from contacts order by id')).rows,
      notes: (await sql(db.url, 'select * from notes order by id')).rows,
    });
    const exportId = await rw.exportApp();
    const beforeAccident = await customers();
    // The accident: ACME's code rewritten. No row is deleted; PostgreSQL rewrites two invoices, unlinks a contact and resets two notes.
    await sql(db.url, `update customers set code = 'ACME-OLD' where code = 'ACME'`);
    const cli = (...args: string[]) => runCli(worldCliEnv(rw.world), args);

    // Putting ACME back alone would orphan the two invoices that now hold ACME-OLD: a conflict, so it stops at the preview.
    const started = await cli('rollback', 'start', '--source', 'app', '--export', exportId, '--tables', 'customers', '--reason', 'INC-code', '--requested-by', 'alice', '--id', 'rb-key-changed', '--wait');
    assert.equal(started.code, 1, started.stderr + started.stdout);
    assert.match(started.stdout, /2 conflicting rows, 5 rows outside the scope changed by cascades/);
    const shown = await cli('rollback', 'preview', 'rb-key-changed');
    assert.match(shown.stdout, /OUTSIDE THE SCOPE/);
    assert.match(shown.stdout, /public\.invoices: 0 removed, 2 changed \(via invoices_customer_code_fkey \(public\.invoices → public\.customers, on update cascade\)\)/);
    assert.match(shown.stdout, /public\.contacts: 0 removed, 1 changed \(via contacts_customer_code_fkey \(public\.contacts → public\.customers, on update set null\)\)/);
    assert.match(shown.stdout, /public\.notes: 0 removed, 2 changed \(via notes_customer_code_fkey \(public\.notes → public\.customers, on update set default\)\)/);
    assert.match(shown.stdout, /widen the scope to put them back too: --tables public\.customers,public\.invoices/);
    const status = await cli('rollback', 'status', 'rb-key-changed', '--json');
    assert.equal(status.code, 0, status.stderr);
    const preview = (JSON.parse(status.stdout) as RollbackStatus).preview!;
    assert.deepEqual(preview.tables.map((t) => [t.table, t.inserts, t.updates, t.deletes]), [['public.customers', 0, 1, 0]]);
    assert.deepEqual(
      preview.outsideScope!.map((o) => [o.table, o.removed, o.changed]),
      [['public.contacts', 0, 1], ['public.invoices', 0, 2], ['public.notes', 0, 2]],
    );
    assert.equal(preview.totals.outsideScope, 5);

    const wide = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['customers', 'invoices', 'contacts', 'notes'], requestedBy: 'alice', reason: 'INC-code, widened' });
    assert.deepEqual((await waitForStage(wide, 'awaiting-approval')).preview!.outsideScope, []);
    await wide.decide('approve', 'bob', 'ok');
    assert.equal((await wide.result()).stage, 'done');
    assert.deepEqual(await customers(), beforeAccident);
  });
});
