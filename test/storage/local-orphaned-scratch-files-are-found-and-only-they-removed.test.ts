import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalStore } from '../../storage/local-store';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-orphans-'));
after(() => fs.rmSync(folder, { recursive: true, force: true }));

test('only a writer scratch file older than the cut-off is listed and removable; anything else is refused', async () => {
  const store = new LocalStore(folder);
  await store.putBytes('e/manifest.json', Buffer.from('{}'));
  const scratch = path.join(folder, 'e', '.~tmp-000000000000-part-00000.csv');
  fs.writeFileSync(scratch, '');
  const old = new Date(Date.now() - 3_600_000);
  fs.utimesSync(scratch, old, old);
  const cutoff = new Date(Date.now() - 60_000);

  const found = [];
  for await (const o of store.listOrphanedTemporaries(cutoff)) found.push([o.name, o.bytes]);
  assert.deepEqual(found, [['e/.~tmp-000000000000-part-00000.csv', 0]], 'sidecars and objects are not orphans');
  assert.equal(await store.removeOrphanedTemporary('e/.~tmp-000000000000-part-00000.csv', new Date(Date.now() - 7_200_000)), false, 'younger than that cut-off: kept');
  for (const name of ['e/manifest.json', 'e/.~meta-manifest.json.json', '../x/.~tmp-1', 'e/../.~tmp-1']) {
    await assert.rejects(store.removeOrphanedTemporary(name, cutoff), { code: 'INPUT_INVALID' }, name);
  }
  assert.equal(await store.removeOrphanedTemporary('e/.~tmp-000000000000-part-00000.csv', cutoff), true);
  assert.equal(fs.existsSync(scratch), false);
  assert.ok(await store.stat('e/manifest.json'));
});
