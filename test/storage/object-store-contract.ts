import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { Crc32c } from '../../storage/crc32c';
import type { ObjectStat, ObjectStore } from '../../storage/object-store';

const MiB = 1024 * 1024;

/** A store under test, empty and private to one suite run. */
export interface ContractSubject {
  readonly store: ObjectStore;
  /** Whether `stat().storageClass` shows what `setStorageClass` set (fake-gcs-server's rewrite keeps STANDARD). */
  readonly reportsStorageClass: boolean;
  dispose(): Promise<void>;
}

/** Registers the behaviour every `ObjectStore` driver must show. */
export function describeObjectStoreContract(driver: string, openSubject: () => Promise<ContractSubject>): void {
  describe(`${driver}: ObjectStore contract`, () => {
    let subject: ContractSubject;
    let store: ObjectStore;
    before(async () => {
      subject = await openSubject();
      store = subject.store;
    });
    after(() => subject.dispose());

    it('round-trips bytes and metadata through putBytes/getBytes, and stat reports them', async () => {
      const bytes = Buffer.from('restorepoint contract\n');
      const written = await store.putBytes('bytes/one.txt', bytes, { contentType: 'text/plain', metadata: { table: 'orders', rows: '3' } });
      assert.deepEqual(await store.getBytes('bytes/one.txt'), bytes);
      const stat = await store.stat('bytes/one.txt');
      assert.ok(stat);
      assert.deepEqual(stat, written);
      assert.equal(stat.key, 'bytes/one.txt');
      assert.equal(stat.size, bytes.length);
      assert.deepEqual(stat.metadata, { table: 'orders', rows: '3' });
      assertHashesDescribe(stat, bytes);
    });

    it('round-trips an empty object', async () => {
      const stat = await store.putBytes('bytes/empty', Buffer.alloc(0));
      assert.equal(stat.size, 0);
      assert.deepEqual(stat.metadata, {});
      assert.deepEqual(await store.getBytes('bytes/empty'), Buffer.alloc(0));
    });

    it('streams a multi-MB payload in and out with pipeline()', async () => {
      const payload = randomBytes(12 * MiB + 123);
      await pipeline(Readable.from(slices(payload, 64 * 1024)), store.openWrite('stream/big.bin', { metadata: { part: '1' } }));
      const digest = createHash('sha256');
      await pipeline(store.openRead('stream/big.bin'), hashSink(digest));
      assert.equal(digest.digest('hex'), sha256(payload));
      const stat = await store.stat('stream/big.bin');
      assert.equal(stat?.size, payload.length);
      assert.deepEqual(stat?.metadata, { part: '1' });
      assertHashesDescribe(stat, payload);
    });

    it('stat of a missing object is undefined', async () => {
      assert.equal(await store.stat('missing/nothing-here'), undefined);
    });

    it('reading a missing object fails with OBJECT_MISSING', async () => {
      await assert.rejects(store.getBytes('missing/nothing-here'), { code: 'OBJECT_MISSING' });
      await assert.rejects(pipeline(store.openRead('missing/nothing-here'), hashSink(createHash('sha256'))), { code: 'OBJECT_MISSING' });
    });

    it('lists by plain string prefix, in key order, with keys relative to the store', async () => {
      for (const key of ['list/b/2', 'list/a/1', 'list/a/sub/3', 'list/ab/4', 'list/a-5', 'listing/6']) {
        await store.putBytes(key, Buffer.from(key));
      }
      assert.deepEqual(await keys(store.list('list/a/')), ['list/a/1', 'list/a/sub/3']);
      assert.deepEqual(await keys(store.list('list/a')), ['list/a-5', 'list/a/1', 'list/a/sub/3', 'list/ab/4']);
      assert.deepEqual(await keys(store.list('list/')), ['list/a-5', 'list/a/1', 'list/a/sub/3', 'list/ab/4', 'list/b/2']);
      assert.deepEqual(await keys(store.list('list/nothing/')), []);
      const listed = await collect(store.list('list/b/'));
      assert.deepEqual(listed.map(({ key, size }) => ({ key, size })), [{ key: 'list/b/2', size: 'list/b/2'.length }]);
      assert.ok((await keys(store.list(''))).includes('listing/6'));
    });

    it('delete removes an object and is idempotent', async () => {
      await store.putBytes('delete/me', Buffer.from('x'));
      await store.delete('delete/me');
      assert.equal(await store.stat('delete/me'), undefined);
      await store.delete('delete/me');
      await store.delete('delete/never-existed');
      assert.deepEqual(await keys(store.list('delete/')), []);
    });

    it('a write stream destroyed mid-way leaves no object', async () => {
      const writable = store.openWrite('abort/destroyed.bin');
      await writeChunk(writable, randomBytes(3 * MiB));
      writable.destroy(new Error('export cancelled'));
      await assert.rejects(finished(writable), /export cancelled/);
      assert.equal(await store.stat('abort/destroyed.bin'), undefined);
      assert.deepEqual(await keys(store.list('abort/')), []);
    });

    it('a failing source in pipeline() leaves no object', async () => {
      async function* failingSource(): AsyncGenerator<Buffer> {
        yield randomBytes(2 * MiB);
        throw new Error('COPY failed');
      }
      await assert.rejects(pipeline(failingSource(), store.openWrite('abort/failed-source.bin')), /COPY failed/);
      assert.equal(await store.stat('abort/failed-source.bin'), undefined);
    });

    it('an aborted overwrite keeps the previous version', async () => {
      await store.putBytes('abort/kept', Buffer.from('version 1'), { metadata: { v: '1' } });
      const writable = store.openWrite('abort/kept', { metadata: { v: '2' } });
      await writeChunk(writable, randomBytes(MiB));
      writable.destroy(new Error('worker shutting down'));
      await assert.rejects(finished(writable), /worker shutting down/);
      assert.deepEqual(await store.getBytes('abort/kept'), Buffer.from('version 1'));
      assert.deepEqual((await store.stat('abort/kept'))?.metadata, { v: '1' });
    });

    it('overwrite replaces bytes and metadata (no merge) and changes the generation', async () => {
      const first = await store.putBytes('overwrite/x', Buffer.from('first, longer version'), { metadata: { a: '1', b: '2' } });
      const second = await store.putBytes('overwrite/x', Buffer.from('second'), { metadata: { c: '3' } });
      assert.deepEqual(await store.getBytes('overwrite/x'), Buffer.from('second'));
      assert.equal(second.size, 6);
      assert.deepEqual(second.metadata, { c: '3' });
      if (first.generation !== undefined) assert.notEqual(second.generation, first.generation);
    });

    it('reads inclusive byte ranges', async () => {
      await store.putBytes('range/digits', Buffer.from('0123456789'));
      assert.equal(await readText(store.openRead('range/digits', { start: 2, end: 4 })), '234');
      assert.equal(await readText(store.openRead('range/digits', { start: 7 })), '789');
      assert.equal(await readText(store.openRead('range/digits', { start: 9, end: 9 })), '9');
      assert.equal(await readText(store.openRead('range/digits', { start: 8, end: 100 })), '89');
    });

    it('refuses a range starting past the end, and malformed ranges', async () => {
      await store.putBytes('range/short', Buffer.from('abc'));
      await assert.rejects(readText(store.openRead('range/short', { start: 3 })), { code: 'INPUT_INVALID' });
      assert.throws(() => store.openRead('range/short', { start: 2, end: 1 }), { code: 'INPUT_INVALID' });
      assert.throws(() => store.openRead('range/short', { start: -1 }), { code: 'INPUT_INVALID' });
    });

    it('setStorageClass keeps bytes and metadata, and fails on a missing object', async () => {
      await store.putBytes('tier/archive-me', Buffer.from('cold data'), { metadata: { tier: 'test' } });
      await store.setStorageClass('tier/archive-me', 'COLDLINE');
      assert.deepEqual(await store.getBytes('tier/archive-me'), Buffer.from('cold data'));
      const stat = await store.stat('tier/archive-me');
      assert.deepEqual(stat?.metadata, { tier: 'test' });
      if (subject.reportsStorageClass) assert.equal(stat?.storageClass, 'COLDLINE');
      await assert.rejects(store.setStorageClass('tier/missing', 'NEARLINE'), { code: 'OBJECT_MISSING' });
    });

    it('refuses keys that are not portable relative paths', async () => {
      for (const key of ['', '/abs', 'a//b', 'trailing/', '../escape', 'a/./b', 'a/../b', '.~meta-x', 'a/.~tmp', 'back\\slash', 'new\nline']) {
        assert.throws(() => store.openWrite(key), { code: 'INPUT_INVALID' }, `openWrite(${JSON.stringify(key)})`);
        await assert.rejects(store.stat(key), { code: 'INPUT_INVALID' }, `stat(${JSON.stringify(key)})`);
      }
      await assert.rejects(collect(store.list('../')), { code: 'INPUT_INVALID' });
    });
  });
}

/** When a driver reports hashes, they are the hashes of exactly these bytes. */
function assertHashesDescribe(stat: ObjectStat | undefined, bytes: Buffer): void {
  if (stat?.md5Base64 !== undefined) assert.equal(stat.md5Base64, createHash('md5').update(bytes).digest('base64'));
  if (stat?.crc32cBase64 !== undefined) assert.equal(stat.crc32cBase64, new Crc32c().update(bytes).base64());
}

function* slices(payload: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < payload.length; offset += size) yield payload.subarray(offset, offset + size);
}

function hashSink(hash: ReturnType<typeof createHash>): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeChunk(writable: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => writable.write(chunk, (error) => (error ? reject(error) : resolve())));
}

async function readText(readable: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function collect(stats: AsyncIterable<ObjectStat>): Promise<ObjectStat[]> {
  const all: ObjectStat[] = [];
  for await (const stat of stats) all.push(stat);
  return all;
}

async function keys(stats: AsyncIterable<ObjectStat>): Promise<string[]> {
  return (await collect(stats)).map((stat) => stat.key);
}
