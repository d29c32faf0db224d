import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { listSealedEntries, sealTrail, verifyTrail, type TrailEntry } from '../../trail';
import { inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

const WRITERS = 8;
const TRANSACTIONS_EACH = 25;
const HOT_FILMS = [1, 2, 3, 4, 5];

let pagila: TrackedPagila;
before(async () => {
  pagila = await trackedPagila(['film']);
});
after(() => pagila.close());

/** Transactions that update a few of the same five films, in id order (no deadlocks), pausing between statements. */
async function write(client: pg.Client, writer: number): Promise<void> {
  for (let t = 0; t < TRANSACTIONS_EACH; t++) {
    const films = HOT_FILMS.filter(() => Math.random() < 0.5);
    await inTransactionAs(
      client,
      `writer${writer}@app`,
      films.flatMap((id) => [`update film set rental_rate = rental_rate + 0.01 where film_id = ${id}`, `select pg_sleep(${Math.random() / 500})`]),
    );
  }
}

async function sealUntil(client: pg.Client, done: () => boolean): Promise<number> {
  let runs = 0;
  while (!done()) {
    await sealTrail(client);
    runs += 1;
  }
  return runs;
}

test('writers on separate connections and sealers running meanwhile leave one valid chain in commit order', async (t) => {
  const writers = await Promise.all(Array.from({ length: WRITERS }, () => pagila.connect()));
  const sealers = await Promise.all([pagila.connect(), pagila.connect()]);
  let finished = false;
  const writing = Promise.all(writers.map((client, i) => write(client, i))).finally(() => (finished = true));
  const sealRuns = await Promise.all(sealers.map((client) => sealUntil(client, () => finished)));
  await writing;
  await sealTrail(pagila.client);
  t.diagnostic(`sealings while writing: ${sealRuns.join(' + ')}`);

  const { rows } = await pagila.client.query<{ n: string }>('select count(*)::text as n from restorepoint_trail.change');
  const total = Number(rows[0]!.n);
  const verification = await verifyTrail(pagila.client);
  assert.ok(verification.ok, JSON.stringify(verification));
  assert.equal(verification.entries, total, 'every committed entry is sealed exactly once');

  const entries = await listSealedEntries(pagila.client, { after: 0, limit: 100_000 });
  const spans = new Map<string, number[]>();
  for (const e of entries) spans.set(e.xid, [...(spans.get(e.xid) ?? []), e.position!]);
  for (const [xid, positions] of spans) {
    assert.equal(positions.at(-1)! - positions[0]! + 1, positions.length, `transaction ${xid} is contiguous in the chain`);
  }

  // Commit order where it matters: each change to a film starts from the row the previous one left.
  const byFilm = new Map<number, TrailEntry[]>();
  for (const e of entries) byFilm.set(Number(e.key?.film_id), [...(byFilm.get(Number(e.key?.film_id)) ?? []), e]);
  for (const [film, changes] of byFilm) {
    changes.slice(1).forEach((change, i) => assert.ok(isDeepStrictEqual(change.oldRow, changes[i]!.newRow), `film ${film}: change ${i + 1} follows change ${i}`));
    const current = await pagila.client.query<{ row: unknown }>('select to_jsonb(f) as row from film f where film_id = $1', [film]);
    assert.deepEqual(changes.at(-1)!.newRow, current.rows[0]!.row, `film ${film}: the last change left the current row`);
  }
});
