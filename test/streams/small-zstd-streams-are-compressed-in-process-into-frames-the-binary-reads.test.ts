import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { createCompressor, createDecompressor, IN_PROCESS_UNZSTD_MAX_BYTES, IN_PROCESS_ZSTD_MAX_BYTES } from '../../streams/compression';

async function collect(source: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function inChunks(data: Buffer, size: number): Buffer[] {
  return Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));
}

/** CSV-like rows with some noise, so zstd has something to do. */
function rows(bytes: number): Buffer {
  const row = (i: number) => `${i},"name ${i % 977}",${randomBytes(6).toString('hex')},2026-12-07\n`;
  const out: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) length += out[out.push(row(i)) - 1]!.length;
  return Buffer.from(out.join('')).subarray(0, bytes);
}

const zstdBinary = (args: string[], input: Buffer) => execFileSync('zstd', [...args, '-q', '-c'], { input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });

describe('a small zstd stream is compressed and decoded in-process, a large one by the zstd binary, with the same bytes and the same strictness', () => {
  it('a small part compressed in-process decompresses with the zstd binary to the exact bytes', async () => {
    for (const data of [Buffer.alloc(0), Buffer.from('1,a\n'), rows(300_000)]) {
      const compressed = await collect(Readable.from(inChunks(data, 7_000)).pipe(createCompressor('zstd', 3)));
      assert.ok(zstdBinary(['-d'], compressed).equals(data), `${data.length} bytes through the binary`);
      assert.ok((await collect(Readable.from([compressed]).pipe(createDecompressor('zstd')))).equals(data), `${data.length} bytes through createDecompressor`);
    }
  });

  it('a small part the zstd binary compressed is decoded in-process to the exact bytes, several frames too', async () => {
    const data = rows(200_000);
    const compressed = zstdBinary(['-3'], data);
    assert.ok(compressed.length < IN_PROCESS_UNZSTD_MAX_BYTES);
    assert.ok((await collect(Readable.from(inChunks(compressed, 1_000)).pipe(createDecompressor('zstd')))).equals(data));
    // Concatenated frames are one valid zstd stream (the binary decodes them all); so is a skippable frame between them.
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const twoFrames = Buffer.concat([compressed, skippable, zstdBinary(['-3'], Buffer.from('tail\n'))]);
    const expected = Buffer.concat([data, Buffer.from('tail\n')]);
    assert.ok(zstdBinary(['-d'], twoFrames).equals(expected));
    assert.ok((await collect(Readable.from([twoFrames]).pipe(createDecompressor('zstd')))).equals(expected));
  });

  it('a large part is decoded by the binary, given the bytes held back, in any chunking', async () => {
    const data = randomBytes(IN_PROCESS_UNZSTD_MAX_BYTES + 50_000);
    const compressed = zstdBinary(['-1'], data);
    assert.ok(compressed.length > IN_PROCESS_UNZSTD_MAX_BYTES);
    for (const chunkSize of [65_536, 700_001]) assert.ok((await collect(Readable.from(inChunks(compressed, chunkSize)).pipe(createDecompressor('zstd')))).equals(data), `chunks of ${chunkSize}`);
  });

  it('a stream past the in-process limit goes to the binary with the bytes held back, in any chunking', async () => {
    const data = Buffer.concat([rows(IN_PROCESS_ZSTD_MAX_BYTES), randomBytes(100_000)]);
    for (const chunkSize of [65_536, 1_000_003]) {
      const compressed = await collect(Readable.from(inChunks(data, chunkSize)).pipe(createCompressor('zstd', 3)));
      assert.ok(zstdBinary(['-d'], compressed).equals(data), `chunks of ${chunkSize}`);
    }
    // The limit itself decides: with none, even a tiny stream goes to the binary.
    const tiny = Buffer.from('1,a\n2,b\n');
    const viaBinary = await collect(Readable.from([tiny]).pipe(createCompressor('zstd', 3, 0)));
    assert.ok(zstdBinary(['-d'], viaBinary).equals(tiny));
  });

  it('a corrupt small part fails in-process wherever the binary fails: flipped, cut short, appended to, empty, not zstd', async () => {
    const data = rows(50_000);
    const compressed = await collect(Readable.from([data]).pipe(createCompressor('zstd', 3)));
    const flippedAt = (at: number) => {
      const flipped = Buffer.from(compressed);
      flipped[at]! ^= 0x01;
      return flipped;
    };
    const corrupt = {
      'a flipped byte in the middle': flippedAt(Math.floor(compressed.length / 2)),
      'a flipped byte in the checksum': flippedAt(compressed.length - 2),
      'cut inside a block': compressed.subarray(0, Math.floor(compressed.length / 2)),
      'cut in the checksum': compressed.subarray(0, compressed.length - 3),
      'bytes appended': Buffer.concat([compressed, Buffer.from('xyz')]),
      empty: Buffer.alloc(0),
      'not zstd': Buffer.from('not zstd at all'),
    };
    for (const [label, bytes] of Object.entries(corrupt)) {
      assert.throws(() => zstdBinary(['-d'], bytes), Error, `the binary refuses: ${label}`);
      await assert.rejects(collect(Readable.from([bytes]).pipe(createDecompressor('zstd'))), /zstd -d \(in-process\)/, label);
    }
  });
});
