import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { runCli, type CliResult } from '../support/cli';
import { tokenFor } from '../support/identity';

let catalog: FreshCatalog;
before(async () => {
  token = await tokenFor('auditor', { '*': ['viewer'] });
  catalog = await freshCatalog();
  for (const subject of ['exp-1', 'exp-2', 'exp-3']) {
    await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject, outcome: 'ok' });
  }
});
after(() => catalog.close());

let token: string;
/** `ledger list` checks ledger.read before it reads the catalog: the CLI presents a token of the local issuer. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli({ RESTOREPOINT_CATALOG_URL: catalog.url, RESTOREPOINT_TOKEN: token }, args);
}

test('`ledger list` filters by subject', async () => {
  const { code, stdout } = await cli('ledger', 'list', '--subject', 'exp-2', '--json');
  assert.equal(code, 0);
  const parsed = JSON.parse(stdout) as { entries: { seq: number }[] };
  assert.deepEqual(parsed.entries.map((e) => e.seq), [2]);
});

test('`ledger verify` exits 0 on an intact chain', async () => {
  const { code, stdout } = await cli('ledger', 'verify');
  assert.equal(code, 0);
  assert.match(stdout, /ledger intact: 3 entries/);
});

test('`ledger verify` exits 1 and names the first broken entry', async () => {
  await catalog.db.transaction(async (trx) => {
    await trx.raw('alter table ledger disable trigger all');
    await trx.raw(`update ledger set actor = 'mallory' where seq = 2`);
  });
  const human = await cli('ledger', 'verify');
  assert.equal(human.code, 1);
  assert.match(human.stdout, /ledger BROKEN at entry 2: hash mismatch/);
  const json = await cli('ledger', 'verify', '--json');
  assert.equal(json.code, 1);
  assert.deepEqual((JSON.parse(json.stdout) as { firstBroken: { seq: number } }).firstBroken.seq, 2);
});

test('a bad --limit is a usage error', async () => {
  assert.equal((await cli('ledger', 'list', '--limit', 'ten')).code, 2);
});
