import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RestorepointError } from '../core/errors';

/**
 * The stored form of an encrypted object (docs/decisions/encryption-at-rest.md):
 *
 *   header  = "RPE1" ‖ nonce prefix (8 random bytes per object)
 *   chunk i = AES-256-GCM(plaintext[i·64 KiB …], nonce = prefix ‖ u32be(i), aad) ‖ 16-byte tag
 *   aad     = "restorepoint/aes-256-gcm-chunked-v1" 0 exportId 0 objectKey 0 u32be(i) u8(final)
 *
 * Every object ends with exactly one chunk flagged final (possibly empty): a truncated object,
 * chunks reordered, or a chunk or object moved to another export or key fails authentication.
 */
export const ENCRYPTION_SCHEME = 'aes-256-gcm-chunked-v1';
/**
 * A data key as the functions below take it: the 32 bytes, or a KeyObject made of them once
 * (`createSecretKey`). Every chunk needs its own cipher (its own nonce), and a cipher made from
 * raw bytes imports the key again: ~40 µs a chunk, against ~6 µs from a KeyObject.
 */
export type DataKey = Buffer | KeyObject;
export const CHUNK_BYTES = 64 * 1024;
const MAGIC = Buffer.from('RPE1');
const HEADER_BYTES = MAGIC.length + 8;
const TAG_BYTES = 16;

/** Where an object's chunks belong: authenticated with every chunk, never stored in it. */
export interface ObjectBinding {
  readonly exportId: string;
  readonly key: string;
}

function associatedData(binding: ObjectBinding, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail.writeUInt8(final ? 1 : 0, 4);
  return Buffer.concat([Buffer.from(`restorepoint/${ENCRYPTION_SCHEME}\0${binding.exportId}\0${binding.key}\0`, 'utf8'), tail]);
}

function nonce(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, 8);
  return n;
}

function decryptionFailed(binding: ObjectBinding, why: string): RestorepointError {
  return new RestorepointError('DECRYPTION_FAILED', `${binding.key}: ${why}; the object was not written by this export with this key, or it was altered`, {
    exportId: binding.exportId,
    key: binding.key,
  });
}

function sealChunk(dataKey: DataKey, prefix: Buffer, binding: ObjectBinding, index: number, plain: Buffer, final: boolean): Buffer {
  const cipher = createCipheriv('aes-256-gcm', dataKey, nonce(prefix, index));
  cipher.setAAD(associatedData(binding, index, final));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(dataKey: DataKey, prefix: Buffer, binding: ObjectBinding, index: number, sealed: Buffer, final: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce(prefix, index));
  decipher.setAAD(associatedData(binding, index, final));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw decryptionFailed(binding, `chunk ${index}${final ? ' (the last)' : ''} does not authenticate`);
  }
}

/** Plaintext in, the stored form out; memory holds at most one chunk. */
export class EncryptStream extends Transform {
  private readonly prefix = randomBytes(8);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  constructor(
    private readonly dataKey: DataKey,
    private readonly binding: ObjectBinding,
  ) {
    super();
    this.push(Buffer.concat([MAGIC, this.prefix]));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // A full chunk is sealed only once more bytes follow: the last one must be flagged final.
    while (this.pendingBytes > CHUNK_BYTES) {
      const all = Buffer.concat(this.pending);
      this.push(this.seal(all.subarray(0, CHUNK_BYTES), false));
      this.pending = [all.subarray(CHUNK_BYTES)];
      this.pendingBytes = all.length - CHUNK_BYTES;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(this.seal(Buffer.concat(this.pending), true));
    done();
  }

  private seal(plain: Buffer, final: boolean): Buffer {
    return sealChunk(this.dataKey, this.prefix, this.binding, this.index++, plain, final);
  }
}

/** The stored form in, plaintext out; fails with DECRYPTION_FAILED on any chunk that does not authenticate. */
export class DecryptStream extends Transform {
  private prefix: Buffer | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private index = 0;

  constructor(
    private readonly dataKey: DataKey,
    private readonly binding: ObjectBinding,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    try {
      if (!this.prefix) {
        if (this.buffered.length < HEADER_BYTES) return done();
        if (!this.buffered.subarray(0, MAGIC.length).equals(MAGIC)) throw decryptionFailed(this.binding, 'not an encrypted object');
        this.prefix = Buffer.from(this.buffered.subarray(MAGIC.length, HEADER_BYTES));
        this.buffered = this.buffered.subarray(HEADER_BYTES);
      }
      const sealed = CHUNK_BYTES + TAG_BYTES;
      // Keep the last whole chunk back: only the end of the stream says it is the final one.
      let offset = 0;
      while (this.buffered.length - offset > sealed) {
        this.push(this.open(this.buffered.subarray(offset, offset + sealed), false));
        offset += sealed;
      }
      this.buffered = this.buffered.subarray(offset);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.prefix) throw decryptionFailed(this.binding, 'the object ends before its header');
      if (this.buffered.length < TAG_BYTES) throw decryptionFailed(this.binding, 'the object is truncated');
      this.push(this.open(this.buffered, true));
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  private open(sealed: Buffer, final: boolean): Buffer {
    return openChunk(this.dataKey, this.prefix!, this.binding, this.index++, sealed, final);
  }
}

/** A small object in one go, in the same format as the streams. */
export function sealBytes(dataKey: DataKey, binding: ObjectBinding, plain: Buffer): Buffer {
  const prefix = randomBytes(8);
  const sealed: Buffer[] = [MAGIC, prefix];
  let index = 0;
  for (let at = 0; ; at += CHUNK_BYTES, index += 1) {
    const final = at + CHUNK_BYTES >= plain.length;
    sealed.push(sealChunk(dataKey, prefix, binding, index, plain.subarray(at, at + CHUNK_BYTES), final));
    if (final) return Buffer.concat(sealed);
  }
}

/** The plaintext of a small stored object; DECRYPTION_FAILED when any chunk does not authenticate. */
export function openBytes(dataKey: DataKey, binding: ObjectBinding, stored: Buffer): Buffer {
  if (stored.length < HEADER_BYTES || !stored.subarray(0, MAGIC.length).equals(MAGIC)) throw decryptionFailed(binding, 'not an encrypted object');
  const prefix = stored.subarray(MAGIC.length, HEADER_BYTES);
  const sealedBytes = CHUNK_BYTES + TAG_BYTES;
  const plain: Buffer[] = [];
  let index = 0;
  for (let at = HEADER_BYTES; ; at += sealedBytes, index += 1) {
    const final = at + sealedBytes >= stored.length;
    if (final && stored.length - at < TAG_BYTES) throw decryptionFailed(binding, 'the object is truncated');
    plain.push(openChunk(dataKey, prefix, binding, index, stored.subarray(at, at + sealedBytes), final));
    if (final) return Buffer.concat(plain);
  }
}
