import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';

/**
 * A stored part with one byte flipped (same size, still valid CSV), or a manifest whose
 * JSON was edited, must be refused with a typed error naming the object, and the target
 * must be exactly as it was: no table created, no row written, its own data untouched.
 */
describe('a tampered part or manifest is refused before any row is written', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-tamper-'));

  before(async () => {
    source = await scratchDatabase('tamper_src');
    target = await scratchDatabase('tamper_dst');
    await sql(
      source.url,
      'create table parent (id int primary key, name text not null)',
      'create table child (id int primary key, parent_id int not null references parent, payload text)',
      `insert into parent select g, 'parent ' || g from generate_series(1, 200) g`,
      `insert into child select g, 1 + g % 200, repeat(md5(g::text), 1 + g % 4) from generate_series(1, 3000) g`,
    );
    // The target holds data of its own, which a refused restore must leave alone.
    await sql(target.url, 'create table keep (id int primary key)', 'insert into keep values (1), (2), (3)');
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 64 * 1024 });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const destinations = [
    ['a folder, uncompressed', () => `file://${folder}`, 'none'],
    ['GCS, gzip', () => `gs://restorepoint-tamper-${process.pid}/t`, 'gzip'],
    // Parts this small are compressed in-process (streams/compression.ts), and still decoded by the zstd binary.
    ['a folder, zstd, small parts', () => `file://${folder}`, 'zstd'],
  ] as const;

  for (const [label, destination, compression] of destinations) {
    it(`a part with one flipped byte is refused as CHECKSUM_MISMATCH naming the part (${label})`, async () => {
      const exportId = `tamper-part-${compression}`;
      await w.exportNow({ exportId, source: 'src', destination: destination(), compression });
      const store = w.store(destination());
      // The child table's last part: with checks only while loading, earlier parts would load first.
      const childParts: string[] = [];
      for await (const object of store.list(objectNames.tableFolder(exportId, 'public', 'child'))) childParts.push(object.key);
      assert.ok(childParts.length >= 3, `${childParts.length} parts`);
      const victim = childParts.sort().at(-1)!;
      const bytes = await store.getBytes(victim);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      await store.putBytes(victim, bytes);

      const before = await databaseFingerprint(target.url);
      for (const verifyFirst of [true, false]) {
        const failure = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst', verifyFirst })));
        assert.equal(failure.type, 'CHECKSUM_MISMATCH', failure.message);
        assert.ok(failure.message.includes(victim), failure.message);
        assert.deepEqual(await databaseFingerprint(target.url), before, `verifyFirst ${verifyFirst}: the target changed`);
      }
      const tables = await sql<{ n: string }>(target.url, `select count(*)::text as n from pg_tables where schemaname = 'public'`);
      assert.equal(tables[0]!.n, '1', 'only the target’s own table exists');
    });
  }

  it('an edited manifest is refused as MANIFEST_TAMPERED naming the manifest, and the refusal is in the ledger', async () => {
    const exportId = 'tamper-manifest';
    await w.exportNow({ exportId, source: 'src', destination: `file://${folder}` });
    const store = w.store(`file://${folder}`);
    const key = objectNames.manifest(exportId);
    const manifest = JSON.parse((await store.getBytes(key)).toString('utf8')) as { tables: { name: string; rows: number }[] };
    // A plausible edit: one row fewer in the child table's count, still a valid manifest.
    manifest.tables.find((t) => t.name === 'child')!.rows -= 1;
    await store.putBytes(key, Buffer.from(JSON.stringify(manifest, null, 1)));

    const before = await databaseFingerprint(target.url);
    const failure = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
    assert.equal(failure.type, 'MANIFEST_TAMPERED', failure.message);
    assert.ok(failure.message.includes(key), failure.message);
    assert.deepEqual(await databaseFingerprint(target.url), before);

    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      const entries = await listLedger(catalog, { subject: exportId });
      assert.ok(entries.some((e) => e.action === 'restore.failed' && e.outcome === 'failed'), JSON.stringify(entries.map((e) => e.action)));
    } finally {
      await catalog.destroy();
    }
  });
});
