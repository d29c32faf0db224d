import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';
import { tokenFor } from '../support/identity';
import { startTestWorld, type TestWorld } from '../support/temporal';

let world: TestWorld;
let catalog: { db: Knex };
let pagila: TrackedPagila;
let opsToken: string;
before(async () => {
  pagila = await trackedPagila([]);
  // track and untrack run in the worker, for the verified caller: ops@example proves who they are with a token.
  world = await startTestWorld({ pagila: pagila.db.url });
  await world.startWorker();
  catalog = { db: openCatalog(world.config.catalog.url) };
  opsToken = await tokenFor('ops@example');
});
after(async () => {
  await catalog?.db.destroy();
  await world?.close();
  await pagila.close();
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli({ ...worldCliEnv(world), RESTOREPOINT_TOKEN: opsToken, RESTOREPOINT_ACTOR: 'ops@example' }, args);
}

test('`track` installs capture and records who did it in the ledger', async () => {
  const { code, stdout } = await cli('track', 'film', 'public.customer', '--source', 'pagila');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /tracking 2 table\(s\) on pagila:\n {2}public\.customer \(customer_id\)\n {2}public\.film \(film_id\)/);
  const [entry] = await listLedger(catalog.db, { action: 'trail.tracked' });
  assert.deepEqual([entry?.actor, entry?.subject, entry?.outcome, entry?.details], ['ops@example', 'trail:pagila', 'ok', { tables: ['public.customer', 'public.film'] }]);
});

test('`track` of a table without a primary key exits 1 and the failure is in the ledger too', async () => {
  await pagila.client.query('create table public.scratch (note text)');
  const { code, stderr } = await cli('track', 'scratch', '--source', 'pagila');
  assert.equal(code, 1);
  assert.match(stderr, /NO_PRIMARY_KEY/);
  const entries = await listLedger(catalog.db, { action: 'trail.tracked' });
  assert.equal(entries.at(-1)?.outcome, 'failed');
});

test('`trail status` lists the tracked tables', async () => {
  await inTransactionAs(pagila.client, 'alice@app', [`update film set rental_rate = 0.99 where film_id <= 3`]);
  const { code, stdout } = await cli('trail', 'status', '--source', 'pagila', '--json');
  assert.equal(code, 0);
  const status = JSON.parse(stdout) as { tables: { name: string }[]; unsealed: number };
  assert.deepEqual(status.tables.map((t) => t.name), ['customer', 'film']);
  assert.equal(status.unsealed, 3);
});

test('`trail verify` seals, exits 0, and records the head in the ledger', async () => {
  const { code, stdout } = await cli('trail', 'verify', '--source', 'pagila');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /trail intact: 3 entries \(3 sealed now\), head 3 [0-9a-f]{64}/);
  const [entry] = await listLedger(catalog.db, { action: 'trail.verified' });
  assert.equal((entry?.details.head as { position: number }).position, 3);
});

test('`trail inverse` lists the undoing and its conflicts without changing anything', async () => {
  await inTransactionAs(pagila.client, 'bob@app', [`update film set title = 'X' where film_id = 2`]);
  const { code, stdout } = await cli('trail', 'inverse', '--source', 'pagila', '--actor', 'alice@app', '--sql');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /3 change\(s\) selected, 3 operation\(s\) to undo them, 1 conflict\(s\)/);
  assert.match(stdout, /changed later {2}4 update by bob@app/);
  assert.match(stdout, /set local session_replication_role = replica;/);
  const { rows } = await pagila.client.query<{ rate: string }>('select rental_rate::text as rate from film where film_id = 1');
  assert.equal(rows[0]!.rate, '0.99');
});

test('`trail verify` exits 1 and names the entry after one is edited', async () => {
  await inTransactionAs(pagila.client, null, [
    'alter table restorepoint_trail.change disable trigger all',
    `update restorepoint_trail.change set actor = 'mallory' where actor = 'alice@app' and key = '{"film_id": 2}'`,
    'alter table restorepoint_trail.change enable always trigger append_only, enable always trigger append_only_truncate',
  ]);
  const human = await cli('trail', 'verify', '--source', 'pagila');
  assert.equal(human.code, 1);
  assert.match(human.stdout, /trail BROKEN at position 2 \(seq \d+, xid \d+\): hash mismatch/);
  const json = await cli('trail', 'verify', '--source', 'pagila', '--json');
  assert.equal(json.code, 1);
  assert.equal((JSON.parse(json.stdout) as { firstBroken: { position: number } }).firstBroken.position, 2);
  assert.equal((await listLedger(catalog.db, { action: 'trail.verified' })).at(-1)?.outcome, 'broken');
});

test('`untrack` without --confirm lists what it would stop tracking and changes nothing', async () => {
  const { code, stdout } = await cli('untrack', 'public.film', 'public.actor', '--source', 'pagila');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /would stop tracking on pagila \(history recorded so far stays\):\n {2}public\.film \(film_id\)\nnot tracked, left as they are: public\.actor\ndry run: nothing was changed/);
  assert.match((await cli('trail', 'status', '--source', 'pagila')).stdout, /public\.film/);
  assert.equal((await listLedger(catalog.db, { action: 'trail.untracked' })).length, 0);
});

test('`untrack --confirm` stops capture and is recorded', async () => {
  const { code } = await cli('untrack', 'public', '--source', 'pagila', '--confirm');
  assert.equal(code, 0);
  const { stdout } = await cli('trail', 'status', '--source', 'pagila');
  assert.match(stdout, /no tables tracked/);
  assert.equal((await listLedger(catalog.db, { action: 'trail.untracked' })).length, 1);
});

test('a missing --source is a usage error', async () => {
  assert.equal((await cli('trail', 'status')).code, 2);
});
