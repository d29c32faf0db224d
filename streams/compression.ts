import { spawn } from 'node:child_process';
import { Duplex, PassThrough, pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Compression } from '../core/export-input';
import { Coalesce } from './coalesce';
import { zstdFrames } from './zstd-frames';

/**
 * zstd runs as the system `zstd` binary for a large stream: a child process compresses on
 * another core while this one hashes and uploads, and it beat Node's zlib zstd on large
 * input (docs/performance.md); a small stream stays in-process (`zstdSmallInProcess`). The
 * child's stdin/stdout are joined into one Duplex so it sits in a pipeline() like zlib's
 * streams. Its input is written in chunks of at least 64 KiB (see Coalesce).
 */
function zstdProcess(args: readonly string[]): Duplex {
  const child = spawn('zstd', [...args, '-q', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failure = (code: number | null, signal: NodeJS.Signals | null) => new Error(`zstd ${args.join(' ')} exited ${code ?? signal}: ${stderr.trim()}`);
  const exited = new Promise<Error | undefined>((resolve) => child.on('close', (code, signal) => resolve(code === 0 ? undefined : failure(code, signal))));
  // The output ends only once zstd has exited well: on corrupt input it may close stdout
  // cleanly and report the fault only in its exit status.
  async function* output(): AsyncGenerator<Buffer> {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const error = await exited;
    if (error) throw error;
  }
  const input = new Coalesce();
  const duplex = Duplex.from({ writable: input, readable: Readable.from(output(), { objectMode: false }) });
  pipeline(input, child.stdin, (error) => {
    if (error) duplex.destroy(error);
  });
  child.on('error', (error) => duplex.destroy(error));
  // A zstd that dies early fails the stream at once, not when its output would have ended.
  void exited.then((error) => {
    if (error && child.signalCode !== 'SIGTERM') duplex.destroy(error);
  });
  // A pipeline that fails elsewhere destroys this stream; take the process down with it.
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return duplex;
}

/**
 * Input up to this many bytes is compressed in one call of Node's zlib zstd (on libuv's thread
 * pool) instead of by a `zstd` process: spawning one blocks the worker's event loop for
 * ~10 ms (fork of a large process) and takes tens of ms before the first byte comes back,
 * which for Pagila's 22 small tables was ~0.25 s of an export. A few MiB compress in a few ms.
 */
export const IN_PROCESS_ZSTD_MAX_BYTES = 4 * 1024 * 1024;

const zstdCompressBuffer = promisify(zlib.zstdCompress);

/**
 * A stream that ends within its first `inProcessMaxBytes` goes through `inProcess`, given all
 * of it at once; a longer one through a `zstd` process with `processArgs`, which is given the
 * bytes held back and takes the rest.
 */
function zstdSmallInProcess(inProcessMaxBytes: number, inProcess: (input: Buffer) => AsyncIterable<Buffer>, processArgs: readonly string[]): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<Buffer>) {
    const input = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headBytes = 0;
    for (;;) {
      const next = await input.next();
      if (next.done) {
        yield* inProcess(Buffer.concat(head, headBytes));
        return;
      }
      head.push(next.value);
      headBytes += next.value.length;
      if (headBytes > inProcessMaxBytes) break;
    }
    const child = zstdProcess(processArgs);
    const feed = async () => {
      const write = async (chunk: Buffer) => {
        // Its output side reports why it stopped.
        if (child.destroyed) throw new Error(`zstd ${processArgs.join(' ')} stopped taking input`);
        if (!child.write(chunk)) await drainedOrClosed(child);
      };
      for (const chunk of head.splice(0)) await write(chunk);
      for (let next = await input.next(); !next.done; next = await input.next()) await write(next.value);
      child.end();
    };
    // A failure to feed ends the child's output with it.
    feed().catch((error: Error) => child.destroy(error));
    yield* child as AsyncIterable<Buffer>;
  });
}

/** Resolves when `stream` drains or closes (a stream destroyed without an error never drains), leaving no listener behind. */
function drainedOrClosed(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** zstd frames with a content checksum, as the binary writes them. */
async function* compressInProcess(input: Buffer, level: number): AsyncGenerator<Buffer> {
  const params = { [zlib.constants.ZSTD_c_compressionLevel]: level, [zlib.constants.ZSTD_c_checksumFlag]: 1 };
  yield await zstdCompressBuffer(input, { params });
}

/**
 * Each frame through its own zlib decoder, after `zstdFrames` has checked the input is whole
 * frames and nothing else (zlib alone would pass a truncated part). Decoded output streams in
 * 64 KiB chunks, so a highly compressed part is never held whole.
 */
async function* decompressInProcess(input: Buffer): AsyncGenerator<Buffer> {
  let frames: Buffer[];
  try {
    frames = zstdFrames(input);
  } catch (error) {
    throw new Error(`zstd -d (in-process): ${(error as Error).message}`, { cause: error });
  }
  for (const frame of frames) {
    const decoder = zlib.createZstdDecompress({ chunkSize: 64 * 1024 });
    decoder.end(frame);
    try {
      for await (const chunk of decoder) yield chunk as Buffer;
    } catch (error) {
      throw new Error(`zstd -d (in-process): ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Compressed input up to this many bytes is decoded in-process (a restored small table's part
 * would otherwise spawn a `zstd -d` for each part, ~10 ms of the event loop each).
 */
export const IN_PROCESS_UNZSTD_MAX_BYTES = 1024 * 1024;

/** `inProcessMaxBytes`: zstd input up to this size is compressed in-process (tests set it to force either way). */
export function createCompressor(compression: Compression, zstdLevel = 3, inProcessMaxBytes = IN_PROCESS_ZSTD_MAX_BYTES): Duplex {
  switch (compression) {
    case 'zstd':
      return zstdSmallInProcess(inProcessMaxBytes, (input) => compressInProcess(input, zstdLevel), [`-${zstdLevel}`]);
    case 'gzip':
      return zlib.createGzip({ level: 6 });
    case 'none':
      return new PassThrough();
  }
}

/** `inProcessMaxBytes`: compressed zstd input up to this size is decoded in-process. */
export function createDecompressor(compression: Compression, inProcessMaxBytes = IN_PROCESS_UNZSTD_MAX_BYTES): Duplex {
  switch (compression) {
    case 'zstd':
      return zstdSmallInProcess(inProcessMaxBytes, decompressInProcess, ['-d']);
    case 'gzip':
      return zlib.createGunzip();
    case 'none':
      return new PassThrough();
  }
}
