import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import type { TablePreview } from '../../core/rollback/rollback-preview';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

/** The accidents of the issue, one after another on one Pagila: each previewed with exact counts and put back exactly. */
describe('each Pagila accident is previewed with exact counts and rolled back to the state before it', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let exportId: string;
  let original: Record<string, string>;
  before(async () => {
    db = await pagilaDatabase('rollback');
    rw = await startRollbackWorld(db.url);
    exportId = await rw.exportApp();
    original = await databaseFingerprint(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  async function rollBack(tables: string[], expected: Record<string, Partial<TablePreview>>): Promise<void> {
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables, requestedBy: 'alice', reason: 'accident' });
    const preview = (await waitForStage(rollback, 'awaiting-approval')).preview!;
    for (const [table, counts] of Object.entries(expected)) {
      const found = preview.tables.find((t) => t.table === table)!;
      assert.deepEqual({ inserts: found.inserts, updates: found.updates, deletes: found.deletes }, { inserts: 0, updates: 0, deletes: 0, ...counts }, table);
    }
    await rollback.decide('approve', 'bob', 'ok');
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.deepEqual(await databaseFingerprint(db.url), original);
  }

  it('a bulk UPDATE of film.rental_rate', async () => {
    const changed = await sql(db.url, 'update film set rental_rate = rental_rate + 1 where rating in ($$G$$, $$PG$$)');
    await rollBack(['film'], { 'public.film': { updates: changed.rowCount! } });
  });

  it('a DELETE of customers with their rentals and payments', async () => {
    const payments = await sql(db.url, 'delete from payment where customer_id <= 20');
    const rentals = await sql(db.url, 'delete from rental where customer_id <= 20');
    const customers = await sql(db.url, 'delete from customer where customer_id <= 20');
    await rollBack(['customer', 'rental', 'payment'], { 'public.customer': { inserts: customers.rowCount! }, 'public.rental': { inserts: rentals.rowCount! }, 'public.payment': { inserts: payments.rowCount! } });
  });

  it('a TRUNCATE', async () => {
    const rows = Number((await sql(db.url, 'select count(*) from film_actor')).rows[0].count);
    await sql(db.url, 'truncate film_actor');
    await rollBack(['film_actor'], { 'public.film_actor': { inserts: rows } });
  });

  it('two columns swapped by a wrong field mapping', async () => {
    const swapped = await sql(db.url, 'update customer set first_name = last_name, last_name = first_name where store_id = 1');
    await rollBack(['customer'], { 'public.customer': { updates: swapped.rowCount! } });
  });
});
