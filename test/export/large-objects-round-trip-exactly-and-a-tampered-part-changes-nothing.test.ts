import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manifestSchema, type Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { verifyNow } from '../verify/verify-support';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from './harness';

/** Each large object: its oid, size and md5, in oid order. */
async function largeObjectsOf(url: string): Promise<{ oid: string; size: number; md5: string }[]> {
  return sql(url, 'select oid::text as oid, length(lo_get(oid)) as size, md5(lo_get(oid)) as md5 from pg_largeobject_metadata order by oid');
}

/**
 * Issue 11 leftover: "large objects are refused, not exported". A whole-database export now
 * carries them as one more checksummed, encrypted stream of parts; a restore recreates each
 * with its oid and bytes, after checking each part, and a tampered part leaves the target as
 * it was.
 */
describe('large objects round-trip exactly, and a tampered part changes nothing', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const targets: ScratchDatabase[] = [];
  const destination = `gs://restorepoint-large-objects-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('lobs');
    await sql(
      source.url,
      'create table documents (id int primary key, title text, body oid)',
      `insert into documents values
         (1, 'empty', lo_from_bytea(0, '')),
         (2, 'small', lo_from_bytea(0, convert_to('héllo, "large" object' || E'\\n' || 'line two', 'UTF8'))),
         (3, 'one chunk exactly', lo_from_bytea(0, decode(repeat('ab', 262144), 'hex'))),
         (4, 'over a megabyte', lo_from_bytea(0, (select decode(string_agg(md5(g::text), ''), 'hex') from generate_series(1, 100000) g))),
         (5, 'all byte values', lo_from_bytea(0, (select decode(string_agg(lpad(to_hex(b), 2, '0'), ''), 'hex') from generate_series(0, 255) b)))`,
    );
    // Small parts: the objects spread over several parts, the 1.6 MB one over more than one.
    w = await exportWorld({ src: source.url }, { partSizeBytes: 256 * 1024 });
  });
  after(async () => {
    await w?.close();
    for (const db of [source, ...targets]) await db?.drop();
  });

  async function freshTarget(): Promise<ScratchDatabase> {
    const db = await scratchDatabase('lobs_dst');
    targets.push(db);
    return db;
  }

  async function manifestOf(exportId: string): Promise<Manifest> {
    return manifestSchema.parse(JSON.parse((await w.store(destination).getBytes(objectNames.manifest(exportId))).toString('utf8')));
  }

  it('a whole-database export holds every large object; restored into an empty database, oids, sizes and bytes are equal', async () => {
    const sourceObjects = await largeObjectsOf(source.url);
    assert.deepEqual(sourceObjects.map((o) => o.size), [0, 31, 262144, 1600000, 256]);
    await w.exportNow({ exportId: 'lobs-whole', source: 'src', destination });
    const manifest = await manifestOf('lobs-whole');
    assert.equal(manifest.largeObjects?.objects, 5);
    assert.equal(manifest.largeObjects?.bytes, 262144 + 1600000 + 256 + 31);
    assert.ok((manifest.largeObjects?.parts.length ?? 0) >= 3, `${manifest.largeObjects?.parts.length} parts`);
    // Encrypted like every stored object: no plain text of an object is in its part.
    const first = await w.store(destination).getBytes(manifest.largeObjects!.parts[0]!.key);
    assert.ok(!first.includes(Buffer.from('large')) && !first.includes(Buffer.from('6c61726765')), 'the part is ciphertext');

    const target = await freshTarget();
    const restored = await w.restoreNow({ exportId: 'lobs-whole', target: `local:${target.name}` });
    assert.equal(restored.largeObjects, 5);
    assert.deepEqual(await largeObjectsOf(target.url), sourceObjects);
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
  });

  for (const format of ['jsonl', 'parquet'] as const) {
    it(`${format}: the large objects travel beside the rows and restore equal`, async () => {
      const exportId = `lobs-${format}`;
      await w.exportNow({ exportId, source: 'src', destination, format });
      assert.equal((await manifestOf(exportId)).largeObjects?.objects, 5);
      const target = await freshTarget();
      await w.restoreNow({ exportId, target: `local:${target.name}` });
      assert.deepEqual(await largeObjectsOf(target.url), await largeObjectsOf(source.url));
      const report = await verifyNow(w, { exportId, level: 'decode', incremental: false });
      assert.equal(report.status, 'passed', JSON.stringify(report.messages));
    });
  }

  it('every verification level checks the large-object parts and passes (restore compares the tables in a scratch schema, where large objects do not go)', async () => {
    for (const level of ['checksums', 'decode', 'restore'] as const) {
      const report = await verifyNow(w, { exportId: 'lobs-whole', level, incremental: false });
      assert.equal(report.status, 'passed', `${level}: ${JSON.stringify(report.messages)}`);
    }
  });

  it('a narrowed export leaves large objects out, as pg_dump -n does', async () => {
    await w.exportNow({ exportId: 'lobs-narrowed', source: 'src', destination, schemas: ['public'] });
    assert.equal((await manifestOf('lobs-narrowed')).largeObjects, undefined);
  });

  it('a large-object part with one flipped byte is CHECKSUM_MISMATCH naming it, the target keeps no table and no object, and verify names it', async () => {
    await w.exportNow({ exportId: 'lobs-tampered', source: 'src', destination, compression: 'none', encrypt: false });
    const store = w.store(destination);
    const victim = (await manifestOf('lobs-tampered')).largeObjects!.parts.at(-1)!.key;
    const bytes = await store.getBytes(victim);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    await store.putBytes(victim, bytes);

    const target = await freshTarget();
    for (const verifyFirst of [true, false]) {
      const failure = failureOf(await rejectionOf(w.restoreNow({ exportId: 'lobs-tampered', target: `local:${target.name}`, verifyFirst })));
      assert.equal(failure.type, 'CHECKSUM_MISMATCH', failure.message);
      assert.ok(failure.message.includes(victim), failure.message);
      assert.deepEqual(await largeObjectsOf(target.url), [], `verifyFirst ${verifyFirst}: an object was left`);
      assert.deepEqual(await sql(target.url, `select tablename from pg_tables where schemaname = 'public'`), [], `verifyFirst ${verifyFirst}: a table was left`);
    }
    const report = await verifyNow(w, { exportId: 'lobs-tampered', level: 'checksums', incremental: false });
    assert.equal(report.status, 'failed');
    assert.ok(report.failures.some((f) => 'key' in f && f.key === victim && f.status === 'checksum mismatch'), JSON.stringify(report.messages));
  });

  it('a target that already has an object of an exported oid is refused as TARGET_NOT_EMPTY, and keeps its object', async () => {
    const target = await freshTarget();
    const [oid] = (await largeObjectsOf(source.url)).map((o) => o.oid);
    await sql(target.url, `select lo_from_bytea(${oid}, 'theirs')`);
    const failure = failureOf(await rejectionOf(w.restoreNow({ exportId: 'lobs-whole', target: `local:${target.name}` })));
    assert.equal(failure.type, 'TARGET_NOT_EMPTY', failure.message);
    assert.match(failure.message, new RegExp(`large objects with the export's oids \\(${oid}`));
    assert.deepEqual((await largeObjectsOf(target.url)).map((o) => o.size), [6]);
  });
});
