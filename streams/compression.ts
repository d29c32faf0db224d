import { spawn } from 'node:child_process';
import { Duplex, PassThrough, pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '../core/export-input';
import { Coalesce } from './coalesce';

/**
 * zstd runs as the system `zstd` binary: Node 20's zlib has no zstd, and a child process
 * compresses on another core while this one hashes and uploads. Its stdin/stdout are
 * joined into one Duplex so it sits in a pipeline() like zlib's streams. Its input is
 * written in chunks of at least 64 KiB (see Coalesce).
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

export function createCompressor(compression: Compression, zstdLevel = 3): Duplex {
  switch (compression) {
    case 'zstd':
      return zstdProcess([`-${zstdLevel}`]);
    case 'gzip':
      return zlib.createGzip({ level: 6 });
    case 'none':
      return new PassThrough();
  }
}

export function createDecompressor(compression: Compression): Duplex {
  switch (compression) {
    case 'zstd':
      return zstdProcess(['-d']);
    case 'gzip':
      return zlib.createGunzip();
    case 'none':
      return new PassThrough();
  }
}
