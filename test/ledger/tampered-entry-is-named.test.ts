import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { appendLedger, ledgerHash, listLedger, verifyLedger, type LedgerEntry } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
let entries: LedgerEntry[];
beforeEach(async () => {
  catalog = await freshCatalog();
  entries = [];
  for (let i = 1; i <= 5; i++) {
    entries.push(await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject: `exp-${i}`, outcome: 'ok', details: { rows: i * 10 } }));
  }
});
afterEach(() => catalog.close());

/** What an attacker with the table owner's rights can do: switch the guard triggers off and edit. */
async function tamper(sql: string, bindings: readonly (string | number)[] = []): Promise<void> {
  await catalog.db.transaction(async (trx) => {
    await trx.raw('alter table ledger disable trigger all');
    await trx.raw(sql, bindings);
    await trx.raw('alter table ledger enable always trigger ledger_no_update_or_delete, enable always trigger ledger_no_truncate');
  });
}

test('an edited details field is named as a hash mismatch at its seq', async () => {
  await tamper(`update ledger set details = '{"rows": 31}' where seq = 3`);
  const result = await verifyLedger(catalog.db);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.entries, 2);
  assert.deepEqual(result.firstBroken, { seq: 3, reason: 'hash mismatch', expected: result.firstBroken.expected, actual: entries[2]!.hash });
  assert.notEqual(result.firstBroken.expected, entries[2]!.hash);
});

test('a timestamp moved by one millisecond is a hash mismatch', async () => {
  await tamper(`update ledger set at = at + interval '1 millisecond' where seq = 2`);
  const result = await verifyLedger(catalog.db);
  assert.ok(!result.ok);
  assert.deepEqual([result.firstBroken.seq, result.firstBroken.reason], [2, 'hash mismatch']);
});

test('an entry rewritten with a recomputed hash breaks the next link', async () => {
  const forged = { ...entries[2]!, outcome: 'failed' };
  await tamper('update ledger set outcome = ?, hash = ? where seq = 3', [forged.outcome, ledgerHash(forged)]);
  const result = await verifyLedger(catalog.db);
  assert.ok(!result.ok);
  assert.deepEqual(result.firstBroken, { seq: 4, reason: 'prev_hash mismatch', expected: ledgerHash(forged), actual: entries[2]!.hash });
  assert.equal(result.entries, 3);
});

test('a deleted entry is named as a sequence gap', async () => {
  await tamper('delete from ledger where seq = 3');
  const result = await verifyLedger(catalog.db, { pageSize: 2 });
  assert.ok(!result.ok);
  assert.deepEqual(result.firstBroken, { seq: 4, reason: 'sequence gap', expected: '3', actual: '4' });
});

test('a deleted first entry is a sequence gap at the start', async () => {
  await tamper('delete from ledger where seq = 1');
  const result = await verifyLedger(catalog.db);
  assert.ok(!result.ok);
  assert.deepEqual([result.entries, result.firstBroken.seq, result.firstBroken.reason], [0, 2, 'sequence gap']);
});

test('the guard triggers are back after tampering', async () => {
  await tamper('select 1');
  await assert.rejects(catalog.db('ledger').where({ seq: 1 }).delete(), /append-only/);
  assert.equal((await listLedger(catalog.db)).length, 5);
});
