import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { getExport } from '../../catalog/exports-repo';
import { getRun } from '../../catalog/verification-repo';
import { objectNames } from '../../core/object-names';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { cli, failureNamed, partKeys, rewritePartEverywhere, verifyNow, withWorldCatalog } from './verify-support';

/**
 * Each way an archive goes bad, done to a fresh export, is caught by a verification that
 * names the object and says what differed; the export is marked corrupt, the ledger raises
 * the alert, and a restore refuses it.
 */
describe('every corruption is caught at the level that should catch it, naming the object', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-verify-'));
  let counter = 0;

  before(async () => {
    source = await scratchDatabase('verify_src');
    target = await scratchDatabase('verify_dst');
    await sql(
      source.url,
      'create table parent (id int primary key, name text not null)',
      'create table child (id int primary key, parent_id int not null references parent, payload text)',
      `insert into parent select g, 'parent ' || g from generate_series(1, 200) g`,
      `insert into child select g, 1 + g % 200, repeat('x', g % 100) from generate_series(1, 20000) g`,
    );
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 1024 });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const destinations = [
    ['a folder, uncompressed', () => `file://${folder}`, 'none'],
    ['GCS, gzip', () => `gs://restorepoint-verify-${process.pid}/v`, 'gzip'],
  ] as const;

  /** A fresh export of the source and its child table's part keys. */
  async function freshExport(destination: string, compression: 'none' | 'gzip' | 'zstd') {
    counter += 1;
    const exportId = `verify-${counter}-${compression}`;
    // The corruptions are crafted in plain CSV; encrypted exports' refusals are test/encryption's.
    await w.exportNow({ exportId, source: 'src', destination, compression, encrypt: false });
    const store = w.store(destination);
    const parts = await partKeys(store, exportId, 'child');
    assert.ok(parts.length >= 4, `${parts.length} parts`);
    return { exportId, store, parts };
  }

  for (const [label, destination, compression] of destinations) {
    it(`a flipped byte: checksum mismatch with both sha256 values; the export is corrupt and refused as a restore point (${label})`, async () => {
      const { exportId, store, parts } = await freshExport(destination(), compression);
      const victim = parts[1]!;
      const bytes = await store.getBytes(victim);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      await store.putBytes(victim, bytes);

      const report = await verifyNow(w, { exportId, level: 'checksums' });
      const found = failureNamed(report, victim, 'checksum mismatch');
      assert.ok('algorithm' in found && found.algorithm === 'sha256' && found.against === 'catalog' && found.expected !== found.actual, JSON.stringify(found));
      assert.equal(report.counts.failed, 1, JSON.stringify(report.messages));

      await withWorldCatalog(w, async (db) => {
        assert.equal((await getExport(db, exportId))!.verificationStatus, 'corrupt');
        const run = await getRun(db, report.runId);
        assert.equal(run!.status, 'failed');
        assert.ok(run!.results.objects!.some((v) => v.key === victim && v.status === 'checksum mismatch'));
        const entries = await listLedger(db, { subject: exportId });
        const actions = entries.map((e) => `${e.action}:${e.outcome}`);
        for (const expected of ['verification.started:ok', 'verification.finished:failed', 'alert.export-corrupt:raised']) assert.ok(actions.includes(expected), actions.join(' '));
        const alert = entries.find((e) => e.action === 'alert.export-corrupt')!;
        assert.ok(JSON.stringify(alert.details).includes(victim));
      });

      const refused = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
      assert.equal(refused.type, 'EXPORT_CORRUPT', refused.message);

      const viaCli = await cli(w, 'verify', exportId, '--level', 'checksums');
      assert.equal(viaCli.code, 1, viaCli.stderr);
      assert.match(viaCli.stdout, new RegExp(`${victim.replace(/[.]/g, '\\.')}: sha256 mismatch`));
    });

    it(`a truncated part: size mismatch with expected and found sizes (${label})`, async () => {
      const { exportId, store, parts } = await freshExport(destination(), compression);
      const victim = parts[0]!;
      const bytes = await store.getBytes(victim);
      await store.putBytes(victim, bytes.subarray(0, bytes.length - 100));
      const found = failureNamed(await verifyNow(w, { exportId, level: 'checksums' }), victim, 'size mismatch');
      assert.deepEqual([(found as { expected: number }).expected, (found as { actual: number }).actual], [bytes.length, bytes.length - 100]);
    });

    it(`a deleted part: missing (${label})`, async () => {
      const { exportId, store, parts } = await freshExport(destination(), compression);
      const victim = parts.at(-1)!;
      await store.delete(victim);
      failureNamed(await verifyNow(w, { exportId, level: 'checksums' }), victim, 'missing');
    });

    it(`two swapped parts: each named, as the other's size or checksum (${label})`, async () => {
      const { exportId, store, parts } = await freshExport(destination(), compression);
      const [a, b] = [parts[0]!, parts[1]!];
      const [bytesA, bytesB] = [await store.getBytes(a), await store.getBytes(b)];
      await store.putBytes(a, bytesB);
      await store.putBytes(b, bytesA);
      const report = await verifyNow(w, { exportId, level: 'checksums' });
      for (const key of [a, b]) {
        assert.ok(report.failures.some((f) => 'key' in f && f.key === key && (f.status === 'size mismatch' || f.status === 'checksum mismatch')), `${key}: ${JSON.stringify(report.messages)}`);
      }
    });
  }

  it('an edited manifest: its sha256 differs from the catalog, and what was edited is named too', async () => {
    const { exportId, store, parts } = await freshExport(`file://${folder}`, 'none');
    const key = objectNames.manifest(exportId);
    const manifest = JSON.parse((await store.getBytes(key)).toString('utf8')) as { tables: { name: string; rows: number; parts: { key: string; rows: number }[] }[] };
    const child = manifest.tables.find((t) => t.name === 'child')!;
    child.rows -= 1;
    child.parts.find((p) => p.key === parts[0])!.rows -= 1;
    await store.putBytes(key, Buffer.from(JSON.stringify(manifest, null, 1)));

    const report = await verifyNow(w, { exportId, level: 'checksums' });
    const found = failureNamed(report, key, 'checksum mismatch');
    assert.equal((found as { against: string }).against, 'catalog');
    // The catalog's record of the part still says what the export wrote: the edit is named.
    const edit = report.failures.find((f) => 'key' in f && f.key === parts[0] && f.status === 'catalog mismatch');
    assert.ok(edit && 'field' in edit && edit.field === 'rows', JSON.stringify(report.messages));
  });

  it('a part re-recorded everywhere but holding a row fewer passes checksums and fails decode with a row-count mismatch', async () => {
    const { exportId, store, parts } = await freshExport(`file://${folder}`, 'none');
    const victim = parts[2]!;
    const text = (await store.getBytes(victim)).toString('utf8');
    await rewritePartEverywhere(w, store, exportId, victim, Buffer.from(text.slice(text.indexOf('\n') + 1)));

    assert.equal((await verifyNow(w, { exportId, level: 'checksums' })).status, 'passed');
    const found = failureNamed(await verifyNow(w, { exportId, level: 'decode' }), victim, 'row-count mismatch');
    assert.equal((found as { expected: number }).expected - (found as { actual: number }).actual, 1);
  });

  it('a part re-recorded everywhere that no longer decompresses fails decode with a decode error', async () => {
    const { exportId, store, parts } = await freshExport(`gs://restorepoint-verify-${process.pid}/v`, 'gzip');
    const victim = parts[1]!;
    const bytes = await store.getBytes(victim);
    await rewritePartEverywhere(w, store, exportId, victim, bytes.subarray(0, Math.floor(bytes.length / 2)));
    assert.equal((await verifyNow(w, { exportId, level: 'checksums' })).status, 'passed');
    failureNamed(await verifyNow(w, { exportId, level: 'decode' }), victim, 'decode error');
  });

  it('a part whose checksums alone were re-recorded passes checksums and fails decode: its rows differ from their fingerprint', async () => {
    const { exportId, store, parts } = await freshExport(`file://${folder}`, 'none');
    const victim = parts[1]!;
    const text = (await store.getBytes(victim)).toString('utf8');
    await rewritePartEverywhere(w, store, exportId, victim, Buffer.from(text.replace(/,x/, ',y')));
    assert.equal((await verifyNow(w, { exportId, level: 'checksums' })).status, 'passed');
    const found = failureNamed(await verifyNow(w, { exportId, level: 'decode' }), victim, 'checksum mismatch');
    assert.equal((found as { algorithm: string }).algorithm, 'row fingerprint');
  });

  it('a part re-recorded everywhere whose values do not fit the column passes decode and fails restore, naming the refusal', async () => {
    const { exportId, store, parts } = await freshExport(`file://${folder}`, 'none');
    const victim = parts[0]!;
    const text = (await store.getBytes(victim)).toString('utf8');
    // Same rows and fields, but an id that is not an integer.
    await rewritePartEverywhere(w, store, exportId, victim, Buffer.from(text.replace(/^\d+,/, 'x1,')), { refingerprint: true });
    assert.equal((await verifyNow(w, { exportId, level: 'decode' })).status, 'passed');
    const report = await verifyNow(w, { exportId, level: 'restore' });
    assert.equal(report.status, 'failed');
    assert.equal(report.restore?.status, 'failed', JSON.stringify(report));
    assert.ok(report.messages.some((m) => m.includes(victim) && m.includes('invalid input syntax for type integer')), JSON.stringify(report.messages));
    // The scratch copy is gone whatever happened.
    const left = await sql<{ n: string }>(source.url, `select count(*)::text as n from pg_namespace where nspname like 'rp_verify_%'`);
    assert.equal(left[0]!.n, '0');
  });

  it('an in-place edit behind the store’s back is caught by an incremental run (a folder: mtime changes, the sidecar does not)', async () => {
    const { exportId, parts } = await freshExport(`file://${folder}`, 'none');
    assert.equal((await verifyNow(w, { exportId, level: 'checksums' })).status, 'passed');
    const file = path.join(folder, parts[0]!);
    const bytes = fs.readFileSync(file);
    bytes[10] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const report = await verifyNow(w, { exportId, level: 'checksums' });
    failureNamed(report, parts[0]!, 'checksum mismatch');
  });

  it('a clean export marked corrupt is refused as a restore point, unless the override is given', async () => {
    const { exportId } = await freshExport(`file://${folder}`, 'none');
    await withWorldCatalog(w, (db) => db('exports').where({ id: exportId }).update({ verification_status: 'corrupt' }));
    const refused = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst', targetSchema: 'corrupt_override' })));
    assert.equal(refused.type, 'EXPORT_CORRUPT');
    const restored = await w.restoreNow({ exportId, target: 'dst', targetSchema: 'corrupt_override', allowCorrupt: true });
    assert.equal(restored.rows, 20200);
  });
});
