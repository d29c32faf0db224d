import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { ENCRYPTION_SCHEME } from '../../crypto/chunked-aead';
import { getExportKey } from '../../crypto/export-keys';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { verifyNow } from '../verify/verify-support';
import { readManifest, SENTINEL_FIXTURE, SENTINELS, storedObjects, withCatalog, zstdDecompresses } from './encryption-world';

/**
 * Encryption is on by default: no sentinel value of the fixture appears in any stored byte (the
 * folder's own files walked too, bookkeeping included), no data or DDL object decompresses
 * without its key, the manifest names the scheme and key id but holds no key, and the export
 * restores exactly and verifies at every level. `--no-encryption` is explicit and recorded.
 */
describe('every stored object is ciphertext and restores only with its key', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-encrypted-'));

  before(async () => {
    source = await scratchDatabase('enc_src');
    target = await scratchDatabase('enc_dst');
    await sql(source.url, ...SENTINEL_FIXTURE);
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 256 * 1024 });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  for (const [label, destination, compression] of [
    ['a folder, uncompressed', () => `file://${folder}`, 'none'],
    ['GCS, zstd', () => `gs://restorepoint-enc-${process.pid}/e`, 'zstd'],
  ] as const) {
    it(`no sentinel reaches storage and nothing decompresses without the key (${label})`, async () => {
      const exportId = `enc-${compression}`;
      await w.exportNow({ exportId, source: 'src', destination: destination(), compression });
      const store = w.store(destination());
      const objects = await storedObjects(store, exportId);
      assert.ok(objects.filter((o) => o.key.includes('/data/')).length >= 3, objects.map((o) => o.key).join(', '));
      for (const { key, bytes } of objects) {
        for (const sentinel of SENTINELS) assert.ok(!bytes.includes(sentinel), `${key} holds ${sentinel}`);
        if (key.endsWith('.json')) continue;
        assert.ok(!zstdDecompresses(bytes), `${key} decompresses without its key`);
        assert.equal(bytes.subarray(0, 4).toString(), 'RPE1', `${key} is not in the encrypted format`);
      }
      const manifest = await readManifest(store, exportId);
      const keyRecord = await withCatalog(w, (db) => getExportKey(db, exportId));
      assert.deepEqual(manifest.encryption, { scheme: ENCRYPTION_SCHEME, keyId: keyRecord!.keyId });

      await sql(target.url, 'drop table if exists purchase', 'drop table if exists customer');
      await w.restoreNow({ exportId, target: 'dst' });
      assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
      for (const level of ['checksums', 'decode', 'restore'] as const) {
        const report = await verifyNow(w, { exportId, level, incremental: false });
        assert.equal(report.status, 'passed', `${level}: ${JSON.stringify(report.messages)}`);
      }
    });
  }

  it('the folder holds no sentinel in any file, bookkeeping included', () => {
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const files = walk(folder);
    assert.ok(files.length > 0);
    for (const file of files) for (const sentinel of SENTINELS) assert.ok(!fs.readFileSync(file).includes(sentinel), `${file} holds ${sentinel}`);
  });

  it('--no-encryption is explicit: the manifest says null, the ledger records it, and it restores', async () => {
    const exportId = 'enc-off';
    await w.exportNow({ exportId, source: 'src', destination: `file://${folder}`, encrypt: false });
    const store = w.store(`file://${folder}`);
    assert.equal((await readManifest(store, exportId)).encryption, null);
    const [requested] = await withCatalog(w, (db) => listLedger(db, { subject: exportId, action: 'export.requested' }));
    assert.equal((requested!.details as { encrypted?: unknown }).encrypted, false);
    assert.equal(await withCatalog(w, (db) => getExportKey(db, exportId)), undefined);
    await sql(target.url, 'drop table if exists purchase', 'drop table if exists customer');
    await w.restoreNow({ exportId, target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
  });

  it('no key, wrapped or not, is in the ledger or the manifest', async () => {
    const entries = await withCatalog(w, (db) => listLedger(db, { subject: 'enc-none' }));
    const wrapped = await withCatalog(w, async (db) => (await db('export_keys').where({ export_id: 'enc-none' }).first<{ wrapped_key: Buffer }>())!.wrapped_key);
    const text = JSON.stringify(entries) + fs.readFileSync(path.join(folder, 'enc-none', 'manifest.json'), 'utf8');
    assert.ok(!text.includes(wrapped.toString('base64')) && !text.includes(wrapped.toString('hex')));
  });
});
