import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHUNK_BYTES } from '../../crypto/chunked-aead';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { partKeys } from '../verify/verify-support';
import { checksumsOf, resignManifest, SENTINEL_FIXTURE, withCatalog } from './encryption-world';

const HEADER = 12;
const SEALED = CHUNK_BYTES + 16;

/**
 * Issue 13, item 7: each bad input is refused with a typed error before any row is written, and
 * the target (which holds data of its own) is left exactly as it was. Parts are uncompressed so
 * each spans several 64 KiB chunks.
 */
describe('bad keys and altered objects are refused before any row and change nothing', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-enc-bad-'));
  const destination = () => `file://${folder}`;

  before(async () => {
    source = await scratchDatabase('enc_bad_src');
    target = await scratchDatabase('enc_bad_dst');
    await sql(source.url, ...SENTINEL_FIXTURE);
    await sql(target.url, 'create table keep (id int primary key)', 'insert into keep values (1), (2), (3)');
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 256 * 1024 });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Exports, alters, then proves the restore refused with `code` (with and without verifying first) and the target unchanged. */
  async function refused(exportId: string, alter: () => Promise<void>, code: string, names?: () => string): Promise<void> {
    await w.exportNow({ exportId, source: 'src', destination: destination(), compression: 'none' });
    await alter();
    const before = await databaseFingerprint(target.url);
    for (const verifyFirst of [true, false]) {
      const failure = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst', verifyFirst })));
      assert.equal(failure.type, code, failure.message);
      if (names) assert.ok(failure.message.includes(names()), failure.message);
      assert.deepEqual(await databaseFingerprint(target.url), before, `verifyFirst ${verifyFirst}: the target changed`);
    }
    const tables = await sql<{ n: string }>(target.url, `select count(*)::text as n from pg_tables where schemaname = 'public'`);
    assert.equal(tables[0]!.n, '1', 'only the target’s own table exists');
  }

  const store = () => w.store(destination());
  const purchaseParts = (exportId: string) => partKeys(store(), exportId, 'purchase');

  it('a wrong key (another export’s data key) is DECRYPTION_FAILED', async () => {
    await w.exportNow({ exportId: 'bad-other', source: 'src', destination: destination(), compression: 'none' });
    await refused(
      'bad-wrong-key',
      () => withCatalog(w, async (db) => {
        const other = await db('export_keys').where({ export_id: 'bad-other' }).first<{ wrapped_key: Buffer }>();
        await db('export_keys').where({ export_id: 'bad-wrong-key' }).update({ wrapped_key: other!.wrapped_key });
      }),
      'DECRYPTION_FAILED',
    );
  });

  it('a missing data key is KEY_MISSING, and so is a key-encryption key the keyring lacks', async () => {
    await refused('bad-no-key', () => withCatalog(w, (db) => db('export_keys').where({ export_id: 'bad-no-key' }).delete()), 'KEY_MISSING');
    await refused('bad-no-kek', () => withCatalog(w, (db) => db('export_keys').where({ export_id: 'bad-no-kek' }).update({ key_id: 'local-00000000deadbeef' })), 'KEY_MISSING');
  });

  it('a flipped byte in a middle chunk is CHECKSUM_MISMATCH naming the part', async () => {
    let victim = '';
    await refused(
      'bad-flip',
      async () => {
        victim = (await purchaseParts('bad-flip'))[0]!;
        const bytes = await store().getBytes(victim);
        assert.ok(bytes.length > HEADER + 2 * SEALED);
        bytes[HEADER + SEALED + 100]! ^= 0x01;
        await store().putBytes(victim, bytes);
      },
      'CHECKSUM_MISMATCH',
      () => victim,
    );
  });

  it('an object truncated at a chunk boundary is CHECKSUM_MISMATCH naming the part', async () => {
    let victim = '';
    await refused(
      'bad-truncated',
      async () => {
        victim = (await purchaseParts('bad-truncated'))[0]!;
        const bytes = await store().getBytes(victim);
        await store().putBytes(victim, bytes.subarray(0, HEADER + SEALED));
      },
      'CHECKSUM_MISMATCH',
      () => victim,
    );
  });

  it('chunks swapped between two parts are CHECKSUM_MISMATCH; re-signed everywhere without the key, MANIFEST_TAMPERED', async () => {
    const swap = async (exportId: string, resign: boolean) => {
      const [a, b] = await purchaseParts(exportId);
      const [bytesA, bytesB] = [await store().getBytes(a!), await store().getBytes(b!)];
      const chunk = [HEADER + SEALED, HEADER + 2 * SEALED] as const;
      const newA = Buffer.concat([bytesA.subarray(0, chunk[0]), bytesB.subarray(...chunk), bytesA.subarray(chunk[1])]);
      const newB = Buffer.concat([bytesB.subarray(0, chunk[0]), bytesA.subarray(...chunk), bytesB.subarray(chunk[1])]);
      await store().putBytes(a!, newA);
      await store().putBytes(b!, newB);
      if (!resign) return;
      // Every checksum made to agree again: the catalog's part records, the manifest and its hash.
      const sums = new Map([[a!, await checksumsOf(newA)], [b!, await checksumsOf(newB)]]);
      await withCatalog(w, async (db) => {
        for (const [key, s] of sums) await db('export_files').where({ export_id: exportId, object_key: key }).update({ sha256: s.sha256, crc32c: s.crc32c, bytes: s.bytes });
      });
      await resignManifest(w, store(), exportId, (m) => {
        for (const part of m.tables.flatMap((t) => t.parts)) if (sums.has(part.key)) Object.assign(part, { sha256: sums.get(part.key)!.sha256, crc32c: sums.get(part.key)!.crc32c });
      });
    };
    await refused('bad-swap', () => swap('bad-swap', false), 'CHECKSUM_MISMATCH');
    await refused('bad-swap-resigned', () => swap('bad-swap-resigned', true), 'MANIFEST_TAMPERED', () => objectNames.manifest('bad-swap-resigned'));
  });

  it('a manifest edited and re-hashed without the key is MANIFEST_TAMPERED, a downgrade to "unencrypted" too', async () => {
    await refused('bad-resigned', () => resignManifest(w, store(), 'bad-resigned', (m) => void (m.tables.find((t) => t.name === 'purchase')!.rows -= 1)), 'MANIFEST_TAMPERED', () =>
      objectNames.manifest('bad-resigned'),
    );
    await refused('bad-downgrade', () => resignManifest(w, store(), 'bad-downgrade', (m) => void (m.encryption = null)), 'MANIFEST_TAMPERED');
  });
});
