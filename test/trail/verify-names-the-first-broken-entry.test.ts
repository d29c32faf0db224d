import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chainHash, sealTrail, TRAIL_GENESIS_HASH, verifyTrail, type TrailHead } from '../../trail';
import { inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

// The tests tamper cumulatively, each time before the previous damage, so each break is the first.

let pagila: TrackedPagila;
let head: TrailHead;
before(async () => {
  pagila = await trackedPagila(['film', 'customer']);
  for (let i = 1; i <= 5; i++) await inTransactionAs(pagila.client, `user${i}@app`, [`update film set rental_rate = rental_rate + 1 where film_id = ${i}`]);
  await inTransactionAs(pagila.client, 'bulk@app', [`update customer set active = 0 where customer_id <= 5`]);
  head = (await sealTrail(pagila.client)).head!;
});
after(() => pagila.close());

/** Commits statements run with the trail's guards off, as only its owner or a superuser could. */
async function tamper(table: 'change' | 'seal', sql: string): Promise<void> {
  await inTransactionAs(pagila.client, null, [
    `alter table restorepoint_trail.${table} disable trigger all`,
    sql,
    `alter table restorepoint_trail.${table} enable always trigger append_only, enable always trigger append_only_truncate`,
  ]);
}

test('an untouched chain verifies, and Node and the database hash a link alike', async () => {
  assert.deepEqual(await verifyTrail(pagila.client, { anchor: head }), { ok: true, entries: 10, head });
  const { rows } = await pagila.client.query<{ hash: string }>(`select restorepoint_trail.chain_step(null, $1, 'é ✓') as hash`, [TRAIL_GENESIS_HASH]);
  assert.equal(rows[0]!.hash, chainHash(TRAIL_GENESIS_HASH, 'é ✓'));
});

test('sealing again with nothing new keeps the head', async () => {
  assert.deepEqual(await sealTrail(pagila.client), { sealed: 0, head });
});

test('a tail cut off after a recorded head is caught by the anchor, not by the chain alone', async () => {
  await tamper('seal', 'delete from restorepoint_trail.seal where position > 8');
  assert.deepEqual(await verifyTrail(pagila.client), { ok: true, entries: 8, head: { position: 8, hash: await hashAt(8) } });
  const anchored = await verifyTrail(pagila.client, { anchor: head });
  assert.ok(!anchored.ok && anchored.firstBroken.reason === 'anchor mismatch' && anchored.firstBroken.position === 10);
});

test('an entry whose change row was deleted is named', async () => {
  await tamper('change', 'delete from restorepoint_trail.change c using restorepoint_trail.seal s where s.xid = c.xid and s.seq = c.seq and s.position = 7');
  const result = await verifyTrail(pagila.client);
  assert.ok(!result.ok && result.firstBroken.position === 7 && result.firstBroken.reason === 'entry missing');
});

test('a deleted seal shows as a position gap', async () => {
  await tamper('seal', 'delete from restorepoint_trail.seal where position = 6');
  const result = await verifyTrail(pagila.client);
  assert.ok(!result.ok && result.firstBroken.reason === 'position gap' && result.firstBroken.expected === '6' && result.firstBroken.actual === '7');
});

test('an edited row image is named by position and seq, whatever page it falls in', async () => {
  const seq = await seqAt(4);
  await tamper('change', `update restorepoint_trail.change set new_row = jsonb_set(new_row, '{rental_rate}', '0.99') where seq = ${seq}`);
  const result = await verifyTrail(pagila.client, { pageSize: 3 });
  assert.ok(!result.ok);
  assert.deepEqual([result.entries, result.firstBroken.position, result.firstBroken.seq, result.firstBroken.reason], [3, 4, seq, 'hash mismatch']);
});

test('an edited actor is named', async () => {
  await tamper('change', `update restorepoint_trail.change set actor = 'mallory' where actor = 'user2@app'`);
  const result = await verifyTrail(pagila.client);
  assert.ok(!result.ok && result.firstBroken.position === 2 && result.firstBroken.reason === 'hash mismatch');
});

async function seqAt(position: number): Promise<number> {
  const { rows } = await pagila.client.query<{ seq: string }>('select seq::text from restorepoint_trail.seal where position = $1', [position]);
  return Number(rows[0]!.seq);
}

async function hashAt(position: number): Promise<string> {
  const { rows } = await pagila.client.query<{ hash: string }>('select hash from restorepoint_trail.seal where position = $1', [position]);
  return rows[0]!.hash;
}
