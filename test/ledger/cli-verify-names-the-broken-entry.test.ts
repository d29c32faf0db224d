import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { appendLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
  for (const subject of ['exp-1', 'exp-2', 'exp-3']) {
    await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject, outcome: 'ok' });
  }
});
after(() => catalog.close());

const BIN = path.join(__dirname, '../../bin/restorepoint.js');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, RESTOREPOINT_CATALOG_URL: catalog.url } }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
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
