import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startReconstruct } from '../../client/point-in-time';
import { databaseFingerprint } from '../support/pagila';
import { inTransactionAs } from '../trail/tracked-pagila';
import { chainWorld, databaseNow, pause, tableFingerprint, type ChainWorld } from './chain-world';

describe('a full export, a delta and the live trail reconstruct Pagila exactly as it was', () => {
  let w: ChainWorld;
  const states: Record<string, { at: string; tables: Record<string, string> }> = {};

  before(async () => {
    w = await chainWorld(5);
    const sql = w.source.client;
    const full = await w.exportNow('full');
    states.t0 = { at: full.asOf!, tables: await tableFingerprint(w.source.db.url) };

    // Inserts, updates (one changing a key, cascading to film_actor), deletes and a truncate.
    await inTransactionAs(sql, 'alice@app', [
      `update film set rental_rate = rental_rate + 1 where film_id <= 50`,
      `insert into actor (first_name, last_name) values ('ADA', 'LOVELACE'), ('ALAN', 'TURING')`,
      `update actor set actor_id = 90001 where actor_id = 1`,
      `delete from payment where rental_id in (select rental_id from rental where customer_id = 5)`,
      `delete from rental where customer_id = 5`,
    ]);
    await inTransactionAs(sql, 'bob@app', [`truncate film_category`, `insert into film_category (film_id, category_id) values (1, 1), (2, 2)`]);
    const delta = await w.exportNow('incremental');
    assert.equal(delta.mode, 'incremental');
    states.t1 = { at: delta.asOf!, tables: await tableFingerprint(w.source.db.url) };

    await inTransactionAs(sql, 'carol@app', [`update customer set first_name = 'CHANGED' where customer_id between 10 and 20`, `delete from film_actor where actor_id = 90001`]);
    await pause(20);
    states.mid = { at: await databaseNow(sql), tables: await tableFingerprint(w.source.db.url) };
    await pause(20);
    assert.notDeepEqual(states.t1.tables, states.t0.tables);
    assert.notDeepEqual(states.mid.tables, states.t1.tables);
    await inTransactionAs(sql, 'dave@app', [`delete from actor where actor_id = 90001`, `insert into category (name) values ('Documentary 2')`]);
  });

  after(async () => {
    await w?.close();
  });

  const reconstruct = async (at: string, target: number) => {
    const started = await startReconstruct(w.client, { source: 'pagila', at, target: `target-${target}`, requestedBy: 'test' });
    return started.result();
  };

  it('at the full export: the base alone', async () => {
    const summary = await reconstruct(states.t0!.at, 0);
    assert.deepEqual(summary.deltaExportIds, []);
    assert.deepEqual(await tableFingerprint(w.targets[0]!.url), states.t0!.tables);
  });

  it('at the incremental export: the base and the delta', async () => {
    const summary = await reconstruct(states.t1!.at, 1);
    assert.equal(summary.deltaExportIds.length, 1);
    assert.deepEqual(await tableFingerprint(w.targets[1]!.url), states.t1!.tables);
  });

  it('between two later changes: the base, the delta and the live trail up to that moment', async () => {
    const summary = await reconstruct(states.mid!.at, 2);
    assert.match(summary.tail, /live trail/);
    assert.deepEqual(await tableFingerprint(w.targets[2]!.url), states.mid!.tables);
  });

  it('between two changes again once a later delta archived them: from that archive', async () => {
    await w.exportNow('incremental');
    const summary = await reconstruct(states.mid!.at, 3);
    assert.match(summary.tail, /from /);
    assert.deepEqual(await tableFingerprint(w.targets[3]!.url), states.mid!.tables);
  });

  it('into a schema of an existing database, for the tables asked', async () => {
    const started = await startReconstruct(w.client, { source: 'pagila', at: states.mid!.at, target: 'target-4', targetSchema: 'as_of_mid', tables: ['public.actor', 'public.customer'], requestedBy: 'test' });
    await started.result();
    const copy = await databaseFingerprint(w.targets[4]!.url, ['as_of_mid']);
    for (const table of ['actor', 'customer']) assert.equal(copy[`table as_of_mid.${table}`], states.mid!.tables[`table public.${table}`], table);
  });
});
