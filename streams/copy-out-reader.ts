import type { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { MAX_SUMMED_ROWS, RowFingerprint, rowHash, rowHashLow } from './row-fingerprint';

/** Whole rows of COPY output, and how many: PostgreSQL sends every row as one CopyData message. */
export interface CopyRows {
  readonly data: Buffer;
  readonly rows: number;
  /** The rows' fingerprint, when the reader was asked to take it (`fingerprint: true`). */
  readonly fingerprint?: RowFingerprint;
}

/** The part of pg's Connection this reader drives (pg calls `submit` with it). */
interface PgConnection {
  readonly stream: EventEmitter & { pause(): unknown; resume(): unknown };
  query(text: string): void;
}

type DataHandler = (chunk: Buffer) => void;

/** Rows are gathered into chunks of about this size by default: fewer, larger chunks down the pipeline. */
const CHUNK_BYTES = 256 * 1024;
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
/** Messages the server may interleave with CopyData ('H' CopyOutResponse first; notices, parameter changes, notifications). */
const PASSED_OVER = new Set([0x48, 0x4e, 0x53, 0x41]);

/**
 * Runs a `COPY ... TO STDOUT` on a pg Client (`client.query(new CopyOutReader(sql))`) and
 * yields chunks that end on row boundaries, each with its row count, so no one has to
 * find rows by scanning CSV for quotes and newlines (the benchmark's largest cost after
 * PostgreSQL itself). Like pg-copy-streams it reads the socket itself while the COPY
 * runs and hands it back to pg at CopyDone, so CommandComplete (`rowCount`, the server's
 * count) and errors reach pg as usual. Object mode: a chunk is a CopyRows.
 */
export class CopyOutReader extends Readable {
  /** The server's count from CommandComplete, once the COPY has finished. */
  rowCount = 0;
  private connection: PgConnection | undefined;
  private pgHandler: DataHandler | undefined;
  /** The start of a message the last socket chunk cut off. */
  private carry: Buffer | undefined;
  private reading = false;
  /** Rows gathered for the next chunk (socket reads hold only a few KiB of rows each). */
  private out: Buffer;
  private outLength = 0;
  private outRows = 0;
  /** With `fingerprint`: the sums of the gathered rows' hash halves (see `rowHash`). */
  private sumHigh = 0;
  private sumLow = 0;
  private readonly chunkBytes: number;
  private readonly fingerprint: boolean;

  /**
   * `chunkBytes`: gather rows up to about this many bytes a chunk (a chunk is never cut inside a row).
   * `fingerprint`: hash each row as its message is copied (text COPY: a message is one row
   * and its newline), so no one has to scan the chunk for row ends again; each chunk carries
   * its rows' fingerprint.
   */
  constructor(
    readonly text: string,
    options: { readonly chunkBytes?: number; readonly fingerprint?: boolean } = {},
  ) {
    super({ objectMode: true, highWaterMark: 8 });
    this.chunkBytes = Math.max(1, options.chunkBytes ?? CHUNK_BYTES);
    this.fingerprint = options.fingerprint ?? false;
    this.out = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** Called by pg when this query's turn comes. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const listeners = connection.stream.listeners('data') as DataHandler[];
    if (listeners.length !== 1) throw new Error(`expected pg to have one data listener on its socket, found ${listeners.length}`);
    this.pgHandler = listeners[0];
    connection.stream.removeListener('data', this.pgHandler!);
    connection.stream.on('data', this.onData);
    this.reading = true;
    connection.query(this.text);
  }

  override _read(): void {
    if (this.reading) this.connection?.stream.resume();
  }

  private readonly onData = (chunk: Buffer): void => {
    let rest = chunk;
    if (this.carry) {
      const joined = this.completeCarry(rest);
      if (!joined) return;
      rest = rest.subarray(joined.used);
      if (!this.parse(joined.message)) return;
    }
    this.parse(rest);
  };

  /** Adds to the cut-off message what it lacks; undefined while it is still incomplete. */
  private completeCarry(chunk: Buffer): { message: Buffer; used: number } | undefined {
    const carry = this.carry!;
    const headerLack = Math.max(0, 5 - carry.length);
    let length = carry.length >= 5 ? 1 + carry.readUInt32BE(1) : 0;
    if (length === 0) {
      if (chunk.length < headerLack) {
        this.carry = Buffer.concat([carry, chunk]);
        return undefined;
      }
      length = 1 + Buffer.concat([carry, chunk.subarray(0, headerLack)]).readUInt32BE(1);
    }
    const used = Math.min(length - carry.length, chunk.length);
    const message = Buffer.concat([carry, chunk.subarray(0, used)]);
    if (message.length < length) {
      this.carry = message;
      return undefined;
    }
    this.carry = undefined;
    return { message, used };
  }

  /** Consumes the messages of `buffer`; false once the COPY is over (the socket is pg's again). */
  private parse(buffer: Buffer): boolean {
    const hashing = this.fingerprint;
    // The hash sums live in locals while the loop runs (see rowHash), in fields between calls.
    let high = this.sumHigh;
    let low = this.sumLow;
    let position = 0;
    let finishedAt = -1;
    while (position + 5 <= buffer.length) {
      const code = buffer[position]!;
      const end = position + 1 + buffer.readUInt32BE(position + 1);
      if (code === COPY_DATA) {
        if (end > buffer.length) break;
        const rowLength = end - position - 5;
        if (this.outLength + rowLength > this.out.length || this.outRows === MAX_SUMMED_ROWS) {
          this.sumHigh = high;
          this.sumLow = low;
          this.flush(rowLength);
          high = 0;
          low = 0;
        }
        this.outLength += buffer.copy(this.out, this.outLength, position + 5, end);
        if (hashing) {
          high += rowHash(buffer, position + 5, rowLength > 0 && buffer[end - 1] === 0x0a ? end - 1 : end);
          low += rowHashLow();
        }
        this.outRows += 1;
      } else if (code === COPY_DONE) {
        if (end > buffer.length) break;
        finishedAt = end;
        break;
      } else if (!PASSED_OVER.has(code)) {
        // An ErrorResponse, or anything else: pg reads it from here and fails the query.
        finishedAt = position;
        break;
      } else if (end > buffer.length) break;
      position = end;
    }
    this.sumHigh = high;
    this.sumLow = low;
    if (finishedAt === -1) {
      if (position < buffer.length) this.carry = buffer.subarray(position);
      return true;
    }
    this.flush(0);
    this.giveBack(buffer.subarray(finishedAt));
    return false;
  }

  /** Pushes the gathered rows, and starts a new chunk with room for at least `room` bytes. */
  private flush(room: number): void {
    if (this.outRows > 0) {
      let fingerprint: RowFingerprint | undefined;
      if (this.fingerprint) {
        fingerprint = new RowFingerprint();
        fingerprint.addSums(this.outRows, this.sumHigh, this.sumLow);
      }
      if (!this.push({ data: this.out.subarray(0, this.outLength), rows: this.outRows, ...(fingerprint ? { fingerprint } : {}) } satisfies CopyRows)) this.connection!.stream.pause();
    }
    this.out = Buffer.allocUnsafe(Math.max(this.chunkBytes, room));
    this.outLength = 0;
    this.outRows = 0;
    this.sumHigh = 0;
    this.sumLow = 0;
  }

  private giveBack(unread: Buffer): void {
    const stream = this.connection!.stream;
    this.reading = false;
    stream.removeListener('data', this.onData);
    stream.on('data', this.pgHandler!);
    if (unread.length > 0) this.pgHandler!(unread);
    stream.resume();
  }

  /** pg: the COPY's CommandComplete, `COPY <rows>`. */
  handleCommandComplete(message: { text?: string }): void {
    const match = /COPY (\d+)/.exec(message.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  /** pg: the query is over; rowCount is known by now, so the stream may end. */
  handleReadyForQuery(): void {
    if (!this.destroyed) this.push(null);
  }

  handleError(error: Error): void {
    this.destroy(error);
  }
}
