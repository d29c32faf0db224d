import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isRestorepointError, type RestorepointError } from '../../core/errors';
import type { Compression } from '../../core/export-input';
import type { ManifestPart } from '../../core/manifest';
import { loadPart } from '../../activities/restore/load-part';
import { copyInStatement } from '../../postgres/copy-statements';
import { LocalStore } from '../../storage/local-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

/** Stores `bytes` as a part and returns its manifest entry, checksums as written (or as `lie` says). */
async function storePart(store: LocalStore, key: string, bytes: Buffer, rows: number, lie: Partial<ManifestPart> = {}): Promise<ManifestPart> {
  await store.putBytes(key, bytes);
  const checksum = new ChecksumStream();
  checksum.end(bytes);
  checksum.resume();
  await new Promise((resolve) => checksum.on('end', resolve));
  const { sha256, crc32c } = checksum.result();
  return { key, partNo: 0, rows, bytes: bytes.length, sha256, crc32c, ...lie };
}

describe('loading a part keeps the cause of its failure (regression: every failure was CHECKSUM_MISMATCH)', () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  let folder: string;
  let store: LocalStore;
  before(async () => {
    db = await scratchDatabase('loadpart');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('create schema "Sales Data"; create table "Sales Data"."Orders" (id int primary key, amount numeric(38,10))');
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-loadpart-'));
    store = new LocalStore(folder);
  });
  after(async () => {
    await client?.end();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const load = async (part: ManifestPart, compression: Compression, schema: string): Promise<RestorepointError> => {
    await client.query('begin');
    try {
      await loadPart(client, store, part, compression, copyInStatement(schema, 'Orders', ['id', 'amount']));
      assert.fail('the load should have failed');
    } catch (error) {
      assert.ok(isRestorepointError(error), `a typed error, not ${String(error)}`);
      return error;
    } finally {
      await client.query('rollback');
    }
  };
  const rows = Buffer.from('1,12345678901234567890123456.1234567890\n2,0.5\n');

  it('a restore into a database missing a schema is not reported as CHECKSUM_MISMATCH', async () => {
    const part = await storePart(store, 'orders/part-0.csv', rows, 2);
    const error = await load(part, 'none', 'Missing Schema');
    assert.equal(error.code, 'SCHEMA_NOT_FOUND');
    assert.equal(error.retryable, false);
    assert.equal(error.details.sqlState, '3F000');
    assert.match(error.message, /schema "Missing Schema" does not exist/);
  });

  it('a part that differs from its checksums is still CHECKSUM_MISMATCH, naming the object', async () => {
    const part = await storePart(store, 'orders/part-1.csv', rows, 2, { sha256: '0'.repeat(64) });
    const error = await load(part, 'none', 'Sales Data');
    assert.equal(error.code, 'CHECKSUM_MISMATCH');
    assert.match(error.message, /orders\/part-1\.csv: sha256 mismatch/);
  });

  it('a damaged compressed part is CHECKSUM_MISMATCH, an intact but undecodable one DATA_UNDECODABLE', async () => {
    const gz = zlib.gzipSync(rows);
    const damaged = Buffer.from(gz);
    damaged[damaged.length - 12] ^= 0xff;
    const intactChecksums = await storePart(store, 'orders/part-2.csv.gz', gz, 2);
    await store.putBytes('orders/part-2.csv.gz', damaged);
    assert.equal((await load(intactChecksums, 'gzip', 'Sales Data')).code, 'CHECKSUM_MISMATCH');

    const garbage = await storePart(store, 'orders/part-3.csv.gz', Buffer.from('this was never gzip'), 2);
    const undecodable = await load(garbage, 'gzip', 'Sales Data');
    assert.equal(undecodable.code, 'DATA_UNDECODABLE');
    assert.match(undecodable.message, /orders\/part-3\.csv\.gz: matches its checksums but cannot be decoded/);
  });

  it('an intact part that loads another row count than its manifest says is DATA_UNDECODABLE, not CHECKSUM_MISMATCH', async () => {
    // The bytes are exactly those hashed; only the manifest's row count (3) disagrees with them (2).
    const part = await storePart(store, 'orders/part-5.csv', rows, 3);
    const error = await load(part, 'none', 'Sales Data');
    assert.equal(error.code, 'DATA_UNDECODABLE');
    assert.equal(error.retryable, false);
    assert.match(error.message, /orders\/part-5\.csv: matches its checksums but loads 2 rows, the manifest says 3; nothing was committed/);
    assert.equal((await client.query('select count(*)::int as n from "Sales Data"."Orders"')).rows[0].n, 0, 'the rows were rolled back');
  });

  it('intact rows the database refuses are RESTORE_FAILED with their SQLSTATE, the value kept out of the message', async () => {
    const part = await storePart(store, 'orders/part-4.csv', Buffer.from('1,not-a-number-secret\n'), 1);
    const error = await load(part, 'none', 'Sales Data');
    assert.equal(error.code, 'RESTORE_FAILED');
    assert.equal(error.details.sqlState, '22P02');
    assert.equal(error.retryable, false);
    assert.doesNotMatch(error.message, /secret/);
  });
});
