import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { CHUNK_BYTES, DecryptStream, EncryptStream, openBytes, sealBytes, type ObjectBinding } from '../../crypto/chunked-aead';
import { isRestorepointError } from '../../core/errors';

const key = randomBytes(32);
const binding: ObjectBinding = { exportId: 'e1', key: 'e1/data/public/t/part-00000.csv.zst' };
const SEALED = CHUNK_BYTES + 16;
const HEADER = 12;

async function encrypt(plain: Buffer, k = key, b = binding): Promise<Buffer> {
  const out: Buffer[] = [];
  // Uneven writes: chunk boundaries must not depend on how the bytes arrive.
  const pieces = [];
  for (let at = 0; at < plain.length; at += 10_007) pieces.push(plain.subarray(at, at + 10_007));
  await pipeline(Readable.from(pieces), new EncryptStream(k, b), collect(out));
  return Buffer.concat(out);
}

async function decrypt(stored: Buffer, k = key, b = binding): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from([stored.subarray(0, 5), stored.subarray(5)]), new DecryptStream(k, b), collect(out));
  return Buffer.concat(out);
}

function collect(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk);
      done();
    },
  });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('decrypted'),
    (e: unknown) => e,
  );
  assert.ok(isRestorepointError(error), String(error));
  assert.equal(error.code, 'DECRYPTION_FAILED');
  return error.message;
}

describe('the chunked AES-256-GCM object format', () => {
  const plain = randomBytes(3 * CHUNK_BYTES + 1234);

  it('round-trips any length, streamed or in one go, and matches the in-memory form', async () => {
    for (const length of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES, plain.length]) {
      const bytes = plain.subarray(0, length);
      const stored = await encrypt(bytes);
      assert.equal(stored.length, HEADER + Math.max(1, Math.ceil(length / CHUNK_BYTES)) * 16 + length, `length ${length}`);
      assert.deepEqual(await decrypt(stored), bytes);
      assert.deepEqual(openBytes(key, binding, stored), bytes);
      assert.deepEqual(await decrypt(sealBytes(key, binding, bytes)), bytes);
    }
  });

  it('a wrong key is refused', async () => {
    await refusal(decrypt(await encrypt(plain), randomBytes(32)));
  });

  it('one flipped byte in any chunk, header or tag is refused, naming the chunk', async () => {
    const stored = await encrypt(plain);
    for (const at of [HEADER - 1, HEADER, HEADER + SEALED - 1, HEADER + SEALED + 7, HEADER + 2 * SEALED + 100, stored.length - 1]) {
      const damaged = Buffer.from(stored);
      damaged[at]! ^= 0x40;
      await refusal(decrypt(damaged));
    }
  });

  it('an object truncated anywhere, even at a chunk boundary, is refused', async () => {
    const stored = await encrypt(plain);
    for (const length of [0, HEADER - 1, HEADER, HEADER + SEALED, HEADER + 2 * SEALED, HEADER + 3 * SEALED, stored.length - 1]) {
      await refusal(decrypt(stored.subarray(0, length)));
    }
  });

  it('chunks reordered, or swapped with another object of the same export, are refused', async () => {
    const stored = await encrypt(plain);
    const chunk = (s: Buffer, i: number) => s.subarray(HEADER + i * SEALED, HEADER + (i + 1) * SEALED);
    const reordered = Buffer.concat([stored.subarray(0, HEADER), chunk(stored, 1), chunk(stored, 0), stored.subarray(HEADER + 2 * SEALED)]);
    assert.match(await refusal(decrypt(reordered)), /chunk 0/);

    const other: ObjectBinding = { exportId: 'e1', key: 'e1/data/public/t/part-00001.csv.zst' };
    const otherStored = await encrypt(plain, key, other);
    const swapped = Buffer.concat([stored.subarray(0, HEADER + SEALED), chunk(otherStored, 1), stored.subarray(HEADER + 2 * SEALED)]);
    await refusal(decrypt(swapped));
    // A whole object moved under another name, or into another export, does not decrypt either.
    await refusal(decrypt(otherStored));
    await refusal(decrypt(stored, key, { exportId: 'e2', key: binding.key }));
  });
});
