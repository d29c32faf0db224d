import { Writable } from 'node:stream';
import { RowFingerprint, type RowsFingerprint } from '../../streams/row-fingerprint';
import { JSONL_QUOTE } from '../../streams/row-scanner';

const NEWLINE = 0x0a;
const CSV_QUOTE = 0x22;
const CSV_DELIMITER = 0x2c;

/** What parsing a decompressed part found: its rows, and the first thing wrong with it, if any. */
export interface ParsedPart {
  readonly rows: number;
  /** The rows as the export fingerprinted them, to compare with the manifest's. */
  readonly fingerprint: RowsFingerprint;
  readonly error?: string;
}

/**
 * A sink that parses a decompressed part as COPY wrote it and counts its rows. CSV rows must
 * each hold `columns` fields (delimiters outside quotes are counted; a doubled quote toggles
 * twice, so parity is exact); JSON-lines rows must each be a JSON object. The part must end
 * with a complete row. The rows are also fingerprinted as the export did (streams/row-fingerprint).
 * Only the first error is kept; counting goes on so the report can say
 * how many rows the part holds.
 */
export class PartParser extends Writable {
  private rows = 0;
  private error: string | undefined;
  private quoted = false;
  private fields = 1;
  private pendingBytes = 0;
  private line: Buffer[] = [];
  private readonly fingerprint: RowFingerprint;

  constructor(
    private readonly format: 'csv' | 'jsonl',
    private readonly columns: number,
  ) {
    super();
    this.fingerprint = new RowFingerprint(format === 'csv' ? CSV_QUOTE : JSONL_QUOTE);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.format === 'csv') this.scanCsv(chunk);
    else this.scanJsonl(chunk);
    this.fingerprint.update(chunk);
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.quoted) this.fail(`the part ends inside a quoted field after row ${this.rows}`);
    else if (this.pendingBytes > 0) this.fail(`${this.pendingBytes} bytes after the last complete row (row ${this.rows})`);
    done();
  }

  result(): ParsedPart {
    const parsed = { rows: this.rows, fingerprint: this.fingerprint.result() };
    return this.error === undefined ? parsed : { ...parsed, error: this.error };
  }

  private fail(message: string): void {
    this.error ??= message;
  }

  private scanCsv(chunk: Buffer): void {
    const expected = Math.max(1, this.columns);
    let { quoted, fields, pendingBytes } = this;
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i];
      pendingBytes += 1;
      if (byte === CSV_QUOTE) quoted = !quoted;
      else if (quoted) continue;
      else if (byte === CSV_DELIMITER) fields += 1;
      else if (byte === NEWLINE) {
        this.rows += 1;
        if (fields !== expected) this.fail(`row ${this.rows} has ${fields} fields, the table has ${expected} columns`);
        fields = 1;
        pendingBytes = 0;
      }
    }
    this.quoted = quoted;
    this.fields = fields;
    this.pendingBytes = pendingBytes;
  }

  private scanJsonl(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.line.push(chunk.subarray(start, newline));
      this.rows += 1;
      this.checkJsonLine(Buffer.concat(this.line));
      this.line = [];
      start = newline + 1;
    }
    if (start < chunk.length) this.line.push(chunk.subarray(start));
    this.pendingBytes = this.line.reduce((n, b) => n + b.length, 0);
  }

  private checkJsonLine(line: Buffer): void {
    if (this.error !== undefined) return;
    if (line.includes(JSONL_QUOTE)) return this.fail(`row ${this.rows} holds a raw control byte JSON never contains`);
    try {
      const value: unknown = JSON.parse(line.toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(`row ${this.rows} is not a JSON object`);
    } catch (error) {
      this.fail(`row ${this.rows} is not JSON (${(error as Error).message})`);
    }
  }
}
