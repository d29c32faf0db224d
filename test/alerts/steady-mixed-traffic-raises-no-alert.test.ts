import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { listAlerts } from '../../catalog/alerts-repo';
import { runAlertWatch } from '../../client/alerts';
import { inTransactionAs, trackedPagila, type TrackedPagila } from '../trail/tracked-pagila';
import { startAlertWorld, type AlertWorld } from './alert-world';

const WINDOW_SECONDS = 2;
/** Low on purpose: ordinary traffic goes over it, so what keeps detection quiet is the learned baseline. */
const MIN_CHANGES = 30;

/**
 * A pgbench-like rental shop on Pagila: each client, as its own app user, runs one short
 * transaction at a time, throttled to at most one per 20 ms, picked by weight: rent a film
 * (insert a rental, touch the inventory row), return one, update a customer, or cancel a fresh
 * rental. Every few seconds a manager reprices a handful of films.
 */
async function shopTraffic(client: pg.Client, user: string, until: number): Promise<void> {
  const rented: number[] = [];
  let n = 0;
  while (Date.now() < until) {
    const pick = Math.random();
    const inventory = 1 + Math.floor(Math.random() * 4500);
    const customer = 1 + Math.floor(Math.random() * 599);
    if (pick < 0.4) {
      await client.query('begin');
      await client.query("select set_config('restorepoint.actor', $1, true)", [user]);
      const { rows } = await client.query<{ rental_id: number }>('insert into rental (rental_date, inventory_id, customer_id, staff_id) values (clock_timestamp(), $1, $2, 1) returning rental_id', [inventory, customer]);
      await client.query('update inventory set last_update = now() where inventory_id = $1', [inventory]);
      await client.query('commit');
      rented.push(rows[0]!.rental_id);
    } else if (pick < 0.7 && rented.length > 0) {
      await inTransactionAs(client, user, [`update rental set return_date = now() where rental_id = ${rented.shift()!}`]);
    } else if (pick < 0.9) {
      await inTransactionAs(client, user, [`update customer set last_update = now(), active = 1 where customer_id = ${customer}`]);
    } else if (rented.length > 0) {
      await inTransactionAs(client, user, [`delete from rental where rental_id = ${rented.pop()!}`]);
    }
    if (++n % 150 === 0 && user === 'clerk-1@shop') {
      await inTransactionAs(client, 'manager@shop', [`update film set rental_rate = rental_rate where film_id in (select film_id from film order by random() limit 12)`]);
    }
    await sleep(20);
  }
}

describe('steady mixed traffic over many windows raises no alert', () => {
  let pagila: TrackedPagila;
  let aw: AlertWorld;
  before(async () => {
    pagila = await trackedPagila(['public']);
    aw = await startAlertWorld({ shop: pagila.db.url }, { alerts: { windowSeconds: WINDOW_SECONDS, historyWindows: 8, minChanges: MIN_CHANGES } });
  });
  after(async () => {
    await aw?.close();
    await pagila?.close();
  });

  it('learns the baseline from eight windows of traffic, then watches eight more windows of it without a false alert', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map((i) => pagila.connect(`shop-${i}`)));
    const started = Date.now();
    const warmUp = 8 * WINDOW_SECONDS * 1000;
    const watched = 8 * WINDOW_SECONDS * 1000;
    const traffic = Promise.all(clients.map((c, i) => shopTraffic(c, `clerk-${i + 1}@shop`, started + warmUp + watched)));
    await sleep(warmUp);
    const raised: string[] = [];
    let passes = 0;
    while (Date.now() < started + warmUp + watched) {
      const summary = await runAlertWatch(aw.client, { sources: ['shop'] });
      assert.deepEqual(summary.errors, []);
      raised.push(...summary.raised);
      passes += 1;
      await sleep(WINDOW_SECONDS * 1000);
    }
    await traffic;
    raised.push(...(await runAlertWatch(aw.client, { sources: ['shop'] })).raised);
    assert.deepEqual(raised, [], JSON.stringify(await listAlerts(aw.catalog, { status: 'all' }), null, 1));
    assert.ok(passes >= 4, `${passes} detection passes`);

    // The traffic was not trivially quiet: some table's changes went over the minimum in a window.
    const { rows } = await pagila.client.query<{ busiest: string }>(
      `select max(n)::text as busiest from (
         select count(*) as n from restorepoint_trail.change where op in ('update', 'delete')
          group by table_name, op, floor(extract(epoch from at) / $1)) w`,
      [WINDOW_SECONDS],
    );
    assert.ok(Number(rows[0]!.busiest) > MIN_CHANGES, `the busiest window held ${rows[0]!.busiest} changes`);
  });
});
