/**
 * Splits zstd input into its frames, refusing anything that is not exactly a sequence of
 * whole frames. Node's zlib zstd decoder is lenient where the `zstd` binary is strict: it
 * returns nothing for a truncated frame, ignores bytes after the first frame and decodes only
 * the first of several. Walking the frame and block headers first (RFC 8878, section 3.1)
 * gives in-process decoding the binary's strictness: a part cut short or with bytes appended
 * fails loud. The blocks' contents and the content checksum are checked by the decoder.
 */
export class ZstdFrameError extends Error {}

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** The zstd frames of `input`, in order (skippable frames left out); at least one. */
export function zstdFrames(input: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  const need = (bytes: number, what: string) => {
    if (at + bytes > input.length) throw new ZstdFrameError(`truncated zstd input: ${what} at byte ${at} needs ${bytes} bytes, ${input.length - at} left`);
  };
  while (at < input.length) {
    need(4, 'a frame magic number');
    const magic = input.readUInt32LE(at);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(8, 'a skippable frame header');
      const size = input.readUInt32LE(at + 4);
      at += 8;
      need(size, 'a skippable frame');
      at += size;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new ZstdFrameError(`not zstd: unknown frame magic 0x${magic.toString(16)} at byte ${at}`);
    const start = at;
    at += 4;
    need(1, 'a frame header');
    const descriptor = input[at]!;
    if (descriptor & 0x08) throw new ZstdFrameError(`invalid zstd frame header at byte ${at}: reserved bit set`);
    const singleSegment = (descriptor & 0x20) !== 0;
    const hasChecksum = (descriptor & 0x04) !== 0;
    const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
    const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6]!;
    const headerBytes = 1 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
    need(headerBytes, 'a frame header');
    at += headerBytes;
    for (let last = false; !last; ) {
      need(3, 'a block header');
      const header = input.readUIntLE(at, 3);
      at += 3;
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      if (type === 3) throw new ZstdFrameError(`invalid zstd block at byte ${at - 3}: reserved block type`);
      // An RLE block stores one byte, repeated Block_Size times on output.
      const stored = type === 1 ? 1 : header >>> 3;
      need(stored, 'a block');
      at += stored;
    }
    if (hasChecksum) {
      need(4, 'a content checksum');
      at += 4;
    }
    frames.push(input.subarray(start, at));
  }
  if (frames.length === 0) throw new ZstdFrameError('no zstd frame in the input');
  return frames;
}
