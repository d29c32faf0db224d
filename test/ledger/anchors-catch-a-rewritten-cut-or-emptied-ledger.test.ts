import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, test } from 'node:test';
import {
  anchorLedger,
  appendLedger,
  ledgerHash,
  listLedger,
  verifyAnchoredLedger,
  verifyLedger,
  type AnchoredVerification,
  type LedgerAnchor,
} from '../../catalog/ledger';
import { LocalStore } from '../../storage/local-store';
import { openStore } from '../../storage/open-store';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { runCli } from '../support/cli';
import { testStack } from '../support/stack';

let catalog: FreshCatalog;
let folder: string;
let anchorTo: string;
let anchor: LedgerAnchor;

/** Ten entries, an anchor of the tenth (which appends `ledger.anchored` as the eleventh), and two more. */
beforeEach(async () => {
  catalog = await freshCatalog();
  folder = await mkdtemp(path.join(os.tmpdir(), 'rp-anchors-'));
  anchorTo = pathToFileURL(folder).href;
  for (let i = 1; i <= 10; i++) await append(`exp-${i}`);
  anchor = (await anchorLedger(catalog.db, new LocalStore(folder), { actor: 'test', reason: 'test' }))!;
  for (let i = 11; i <= 12; i++) await append(`exp-${i}`);
});
afterEach(async () => {
  await catalog.close();
  await rm(folder, { recursive: true, force: true });
});

const append = (subject: string) => appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject, outcome: 'ok', details: { n: subject } });
const verify = (): Promise<AnchoredVerification> => verifyAnchoredLedger(catalog.db, (d) => openStore(d, { emulatorHost: testStack().gcs.url, projectId: 'restorepoint' }), { configured: anchorTo });

/** What the catalog's owner can do: switch the guard triggers off and run any statement. */
async function tamper(work: (run: (sql: string, bindings?: readonly (string | number)[]) => Promise<unknown>) => Promise<void>): Promise<void> {
  await catalog.db.transaction(async (trx) => {
    await trx.raw('alter table ledger disable trigger all');
    await work((sql, bindings = []) => trx.raw(sql, bindings));
    await trx.raw('alter table ledger enable always trigger ledger_no_update_or_delete, enable always trigger ledger_no_truncate');
  });
}

test('the anchor names the head it was written for and is recorded in the ledger', async () => {
  assert.equal(anchor.seq, 10);
  const recorded = await listLedger(catalog.db, { action: 'ledger.anchored' });
  assert.deepEqual(recorded.map((e) => [e.seq, e.details.seq, e.details.hash]), [[11, 10, anchor.hash]]);
  const result = await verify();
  assert.ok(result.ok);
  assert.deepEqual([result.entries, result.anchors.checked, result.anchors.newest?.seq], [13, 1, 10]);
});

test('a row rewritten and the rest of the chain re-hashed is an anchor mismatch', async () => {
  const entries = await listLedger(catalog.db, { limit: 100 });
  await tamper(async (run) => {
    let prevHash = entries[3]!.prevHash;
    for (const entry of entries.slice(3)) {
      const forged = { ...entry, prevHash, outcome: entry.seq === 4 ? 'failed' : entry.outcome };
      const hash = ledgerHash(forged);
      await run('update ledger set outcome = ?, prev_hash = ?, hash = ? where seq = ?', [forged.outcome, prevHash, hash, entry.seq]);
      prevHash = hash;
    }
  });
  assert.equal((await verifyLedger(catalog.db)).ok, true, 'the chain alone links up again');
  const result = await verify();
  assert.ok(!result.ok);
  assert.deepEqual([result.firstBroken.seq, result.firstBroken.reason, result.firstBroken.expected, result.entries], [10, 'anchor mismatch', anchor.hash, 0]);
});

test('the last entries deleted is an anchor beyond the head', async () => {
  await tamper((run) => run('delete from ledger where seq > 7').then(() => undefined));
  assert.equal((await verifyLedger(catalog.db)).ok, true, 'the chain alone still verifies');
  const result = await verify();
  assert.ok(!result.ok);
  assert.deepEqual([result.firstBroken.seq, result.firstBroken.reason, result.entries], [10, 'anchor beyond head', 0]);
});

test('every entry deleted is an anchor beyond the head', async () => {
  await tamper((run) => run('delete from ledger').then(() => undefined));
  assert.equal((await verifyLedger(catalog.db)).ok, true, 'an empty chain alone verifies');
  const result = await verify();
  assert.ok(!result.ok);
  assert.deepEqual([result.firstBroken.seq, result.firstBroken.reason], [10, 'anchor beyond head']);
});

test('an anchor object deleted from the store is an anchor missing, named by its ledger entry', async () => {
  await rm(path.join(folder, '_ledger-anchors'), { recursive: true });
  const result = await verify();
  assert.ok(!result.ok);
  assert.deepEqual([result.firstBroken.seq, result.firstBroken.reason], [11, 'anchor missing']);
});

test('`ledger verify` exits 1 on a cut-off tail once an anchor exists; `ledger anchor` writes one', async () => {
  const env = { RESTOREPOINT_CATALOG_URL: catalog.url, RESTOREPOINT_LEDGER_ANCHOR_TO: anchorTo };
  const anchored = await runCli(env, ['ledger', 'anchor', '--json']);
  assert.equal(anchored.code, 0, anchored.stderr);
  assert.equal((JSON.parse(anchored.stdout) as { anchor: { seq: number } }).anchor.seq, 13);
  const intact = await runCli(env, ['ledger', 'verify']);
  assert.equal(intact.code, 0, intact.stdout);
  assert.match(intact.stdout, /2 anchor\(s\) checked, newest at 13/);
  await tamper((run) => run('delete from ledger where seq > 12').then(() => undefined));
  const cut = await runCli(env, ['ledger', 'verify']);
  assert.equal(cut.code, 1);
  assert.match(cut.stdout, /ledger BROKEN at entry 13: anchor beyond head/);
});
