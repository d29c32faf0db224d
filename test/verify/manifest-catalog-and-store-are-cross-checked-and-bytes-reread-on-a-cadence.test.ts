import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { sha256Hex } from '../../streams/sha256';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { failureNamed, partKeys, verifyNow, withWorldCatalog } from './verify-support';

/**
 * Incident (issue 18): removing a table from manifest.json and re-recording the manifest's
 * sha256 in the catalog restored that table empty with exit 0; and an incremental
 * `verify --level checksums` trusted size and mtime, so a flipped byte with its mtime reset
 * passed. The manifest, the catalog's records and the stored objects are now compared three
 * ways, and unchanged-looking objects are read again once their last read is older than
 * `verification.rereadAfterHours`.
 */
describe('manifest, catalog and store are cross-checked three ways, and bytes are re-read on a cadence', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let worker: RunningWorker | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-crosscheck-'));
  const destination = `file://${folder}`;

  before(async () => {
    source = await scratchDatabase('xcheck_src');
    target = await scratchDatabase('xcheck_dst');
    await sql(
      source.url,
      'create table kept (id int primary key, v text)',
      'create table cut (id int primary key, v text)',
      `insert into kept select g, md5(g::text) from generate_series(1, 3000) g`,
      `insert into cut select g, md5(g::text) from generate_series(1, 3000) g`,
    );
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 32 * 1024 }, { worker: false });
    worker = await createWorker(w.world.config, w.world.env.nativeConnection);
  });

  async function stopWorker(): Promise<void> {
    worker?.worker.shutdown();
    await worker?.finished.catch(() => undefined);
    worker = undefined;
  }

  after(async () => {
    await stopWorker();
    await w?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Rewrites the manifest without table `cut` and records its new sha256 in the catalog, as the incident did. */
  async function cutTableFromManifest(exportId: string): Promise<void> {
    const store = w.store(destination);
    const manifest = JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')) as Manifest;
    manifest.tables = manifest.tables.filter((t) => t.name !== 'cut');
    const bytes = Buffer.from(JSON.stringify(manifest));
    await store.putBytes(objectNames.manifest(exportId), bytes);
    await withWorldCatalog(w, (db) => db('exports').where({ id: exportId }).update({ manifest_sha256: sha256Hex(bytes) }));
  }

  it('a table cut from the manifest is refused by restore (MANIFEST_TAMPERED) and failed by verify, however much of the catalog is re-recorded', async () => {
    const exportId = 'xcheck-cut';
    // Unencrypted: an encrypted export's manifest MAC refuses the edit before the three-way check this proves (test/encryption).
    await w.exportNow({ exportId, source: 'src', destination, compression: 'none', encrypt: false });
    await cutTableFromManifest(exportId);
    const cutParts = await partKeys(w.store(destination), exportId, 'cut');
    assert.ok(cutParts.length >= 2, `${cutParts.length} parts`);

    // The catalog's totals still count the cut table.
    const byTotals = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
    assert.equal(byTotals.type, 'MANIFEST_TAMPERED');
    assert.match(byTotals.message, /the catalog records 2 tables, the manifest lists 1/);

    // Totals re-recorded too: the catalog's per-part records still list the cut table's parts.
    await withWorldCatalog(w, (db) => db('exports').where({ id: exportId }).update({ tables_count: 1, rows: 3000 }));
    const byParts = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
    assert.equal(byParts.type, 'MANIFEST_TAMPERED');
    assert.match(byParts.message, new RegExp(`${cutParts[0]!.replace(/[.]/g, '\\.')}: listed by the catalog only`));
    failureNamed(await verifyNow(w, { exportId, level: 'checksums', incremental: false }), cutParts[0]!, 'catalog mismatch');

    // Part records deleted as well: the store still holds the parts, and no record lists them.
    await withWorldCatalog(w, (db) => db('export_files').where({ export_id: exportId, table_name: 'public.cut' }).delete());
    const byStore = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
    assert.equal(byStore.type, 'MANIFEST_TAMPERED');
    assert.match(byStore.message, /listed by neither the manifest nor the catalog/);
    failureNamed(await verifyNow(w, { exportId, level: 'checksums', incremental: false }), cutParts[0]!, 'unlisted');

    // Nothing reached the target.
    assert.deepEqual(await databaseFingerprint(target.url), {});
  });

  it('a flipped byte with its mtime reset passes inside the re-read window and fails once the cadence asks for the bytes', async () => {
    const exportId = 'xcheck-flip';
    await w.exportNow({ exportId, source: 'src', destination, compression: 'none' });
    assert.equal((await verifyNow(w, { exportId, level: 'checksums', incremental: false })).status, 'passed');

    const victim = (await partKeys(w.store(destination), exportId, 'kept'))[0]!;
    const file = path.join(folder, victim);
    const { atime, mtime } = fs.statSync(file);
    const bytes = fs.readFileSync(file);
    bytes[10] = bytes[10] === 0x61 ? 0x62 : 0x61;
    fs.writeFileSync(file, bytes);
    fs.utimesSync(file, atime, mtime);

    // Default cadence (a week): the store reports the part untouched, so it is not read.
    const trusted = await verifyNow(w, { exportId, level: 'checksums' });
    assert.equal(trusted.status, 'passed');
    assert.equal(trusted.counts.read, 1, JSON.stringify(trusted.counts));

    // A worker configured to re-read every time hashes the bytes and finds the flip.
    await stopWorker();
    worker = await createWorker({ ...w.world.config, verification: { rereadAfterHours: 0 } }, w.world.env.nativeConnection);
    failureNamed(await verifyNow(w, { exportId, level: 'checksums' }), victim, 'checksum mismatch');
  });
});
