import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { finished } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { gcsClient, type GcsConnection } from '../../storage/gcs-client';
import { GcsStore } from '../../storage/gcs-store';
import { testStack } from '../support/stack';
import { describeObjectStoreContract } from './object-store-contract';

function emulator(): GcsConnection {
  return { emulatorHost: testStack().gcs.url, projectId: 'restorepoint-test' };
}

/** A bucket of its own per run, created by the store itself on first use. */
function uniqueBucket(): string {
  return `rp-test-${randomBytes(6).toString('hex')}`;
}

async function dropBucket(connection: GcsConnection, name: string): Promise<void> {
  const bucket = gcsClient(connection).bucket(name);
  const [exists] = await bucket.exists();
  if (!exists) return;
  await bucket.deleteFiles({ force: true });
  await bucket.delete();
}

describeObjectStoreContract('GCS (fake-gcs-server)', async () => {
  const connection = emulator();
  const bucket = uniqueBucket();
  return {
    store: new GcsStore({ bucket, prefix: 'backups/contract' }, connection),
    // fake-gcs-server's rewrite copies bytes and metadata but ignores the storage class.
    reportsStorageClass: false,
    dispose: () => dropBucket(connection, bucket),
  };
});

describe('GCS (fake-gcs-server): driver specifics', () => {
  const connection = emulator();
  const bucket = uniqueBucket();
  const store = new GcsStore({ bucket, prefix: 'team/app' }, connection);
  before(() => store.putBytes('warm-up', Buffer.from('creates the bucket')));
  after(() => dropBucket(connection, bucket));

  it('has a gs:// url and names objects <prefix>/<key> in the bucket', async () => {
    assert.equal(store.url, `gs://${bucket}/team/app`);
    await store.putBytes('exports/1/part-0001', Buffer.from('x'));
    const [exists] = await gcsClient(connection).bucket(bucket).file('team/app/exports/1/part-0001').exists();
    assert.equal(exists, true);
  });

  it('lists neither objects outside its prefix nor names no key can reach', async () => {
    const raw = gcsClient(connection).bucket(bucket);
    await raw.file('team/other-app/secret').save('not yours');
    // Real GCS would also hold console folder placeholders (`a/`); the emulator cannot store them.
    await raw.file('team/app/back\\slash').save('made by another tool');
    const listed: string[] = [];
    for await (const stat of store.list('')) listed.push(stat.key);
    assert.ok(listed.length > 0 && listed.every((key) => !key.includes('secret') && !key.includes('\\')), listed.join(', '));
    assert.equal(await store.stat('../other-app/secret').catch((error: { code: string }) => error.code), 'INPUT_INVALID');
  });

  // The client tears a destroyed upload down without aborting its HTTP request, which then
  // hangs forever holding a socket; and it may even start the PUT after the destroy.
  for (const [moment, chunks] of [['just after its first chunk was accepted', 1], ['while its PUT streams', 4]] as const) {
    it(`an upload destroyed ${moment} closes its connections instead of hanging`, async () => {
      const before = openSockets();
      const writable = store.openWrite(`abandoned/${chunks}.bin`);
      for (let i = 0; i < chunks; i++) await new Promise<void>((resolve) => writable.write(randomBytes(1024 * 1024), () => resolve()));
      writable.destroy(new Error('cancelled'));
      await assert.rejects(finished(writable), /cancelled/);
      // Long enough for a late PUT to have opened its connection.
      await sleep(500);
      assert.equal(openSockets(), before);
      assert.equal(await store.stat(`abandoned/${chunks}.bin`), undefined);
    });
  }

  it('a download destroyed mid-way releases its connection', async () => {
    await store.putBytes('download/big.bin', randomBytes(8 * 1024 * 1024));
    const before = openSockets();
    const readable = store.openRead('download/big.bin');
    await new Promise((resolve) => readable.once('data', resolve));
    readable.destroy();
    await sleep(500);
    assert.equal(openSockets(), before);
  });
});

/** Sockets keeping the process alive (idle keep-alive sockets are unref'd and not counted). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
}
