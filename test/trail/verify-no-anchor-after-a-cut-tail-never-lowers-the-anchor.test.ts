import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { runCli, type CliResult } from '../support/cli';
import { inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

// Incident (issue 18): after cutting the trail's tail, one `trail verify --no-anchor` recorded
// the shorter head, and every later `trail verify` checked against it and passed.

let catalog: FreshCatalog;
let pagila: TrackedPagila;
before(async () => {
  catalog = await freshCatalog();
  pagila = await trackedPagila(['film']);
  for (let i = 1; i <= 5; i++) await inTransactionAs(pagila.client, `user${i}@app`, [`update film set rental_rate = rental_rate + 1 where film_id = ${i}`]);
});
after(async () => {
  await pagila.close();
  await catalog.close();
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli({ RESTOREPOINT_CATALOG_URL: catalog.url, RESTOREPOINT_SOURCE_PAGILA: pagila.db.url, RESTOREPOINT_ACTOR: 'ops@example' }, args);
}

test('a verified head becomes the anchor', async () => {
  const { code, stdout } = await cli('trail', 'verify', '--source', 'pagila');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /trail intact: 5 entries/);
});

test('after the tail is cut, verify fails, --no-anchor passes once, and the next verify still fails', async () => {
  await inTransactionAs(pagila.client, null, [
    'alter table restorepoint_trail.change disable trigger all',
    'alter table restorepoint_trail.seal disable trigger all',
    'delete from restorepoint_trail.change c using restorepoint_trail.seal s where s.xid = c.xid and s.seq = c.seq and s.position > 3',
    'delete from restorepoint_trail.seal where position > 3',
    'alter table restorepoint_trail.change enable always trigger append_only, enable always trigger append_only_truncate',
    'alter table restorepoint_trail.seal enable always trigger append_only, enable always trigger append_only_truncate',
  ]);
  const cut = await cli('trail', 'verify', '--source', 'pagila');
  assert.equal(cut.code, 1);
  assert.match(cut.stdout, /trail BROKEN at position 5: anchor mismatch/);
  const unanchored = await cli('trail', 'verify', '--source', 'pagila', '--no-anchor');
  assert.equal(unanchored.code, 0, unanchored.stdout);
  assert.match(unanchored.stdout, /trail intact: 3 entries/);
  const again = await cli('trail', 'verify', '--source', 'pagila');
  assert.equal(again.code, 1, 'the anchor stayed at position 5');
  assert.match(again.stdout, /anchor mismatch/);
});

test('only `trail reanchor`, with a reason, moves the anchor back, and the ledger says who and why', async () => {
  assert.equal((await cli('trail', 'reanchor', '--source', 'pagila')).code, 2, '--reason is required');
  const moved = await cli('trail', 'reanchor', '--source', 'pagila', '--reason', 'INC-7: trail restored from the 10:00 backup');
  assert.equal(moved.code, 0, moved.stdout + moved.stderr);
  assert.match(moved.stdout, /trail anchor of pagila moved from 5 [0-9a-f]{64} to 3 [0-9a-f]{64}/);
  const [entry] = await listLedger(catalog.db, { action: 'trail.reanchored' });
  assert.equal(entry?.actor, 'ops@example');
  assert.equal(entry?.details.reason, 'INC-7: trail restored from the 10:00 backup');
  assert.deepEqual([(entry?.details.from as { position: number }).position, (entry?.details.to as { position: number }).position], [5, 3]);
  assert.equal((await cli('trail', 'verify', '--source', 'pagila')).code, 0);
});
