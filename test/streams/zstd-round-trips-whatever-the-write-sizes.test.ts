import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { Coalesce } from '../../streams/coalesce';
import { createCompressor, createDecompressor } from '../../streams/compression';

async function collect(source: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('zstd through a child process returns the bytes it was given, in any chunking', () => {
  it('round-trips many small writes and a few large ones', async () => {
    const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000, 'row,1,"x"\n')]);
    const small = Array.from({ length: Math.ceil(data.length / 1000) }, (_, i) => data.subarray(i * 1000, (i + 1) * 1000));
    const compressed = await collect(Readable.from(small).pipe(createCompressor('zstd', 3)));
    assert.ok(compressed.length < data.length);
    const restored = await collect(Readable.from([compressed.subarray(0, 17), compressed.subarray(17)]).pipe(createDecompressor('zstd')));
    assert.ok(restored.equals(data));
  });

  it('coalesces small chunks into chunks of at least its size, keeping order and the tail', async () => {
    const pieces = Array.from({ length: 100 }, (_, i) => Buffer.from(`${i},`.padEnd(100, '.')));
    const out: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    });
    await pipeline(Readable.from(pieces), new Coalesce(1024), sink);
    assert.ok(Buffer.concat(out).equals(Buffer.concat(pieces)));
    // 11 pieces of 100 bytes reach 1024; 100 pieces make 9 such chunks and a tail of one.
    assert.deepEqual(out.map((chunk) => chunk.length), [...Array(9).fill(1100), 100]);
  });

  it('fails, rather than hanging, when zstd is given bytes that are not zstd', async () => {
    // Through the process: a decoding limit of 0 keeps even this small input off the in-process path.
    await assert.rejects(collect(Readable.from([Buffer.from('not zstd at all')]).pipe(createDecompressor('zstd', 0))), /zstd -d exited 1/);
    const valid = await collect(Readable.from([Buffer.from('a,b\n')]).pipe(createCompressor('zstd', 3)));
    await assert.rejects(collect(Readable.from([valid.subarray(0, valid.length - 3)]).pipe(createDecompressor('zstd', 0))), /zstd -d exited/);
  });
});
