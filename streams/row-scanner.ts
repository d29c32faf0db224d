/**
 * Finds row boundaries in PostgreSQL COPY CSV output. A newline ends a row unless it is
 * inside a quoted field; an escaped quote inside a field is written as two quotes, which
 * toggles the state twice, so tracking parity of quote bytes is exact. The quote byte is
 * a parameter because the JSON-lines export uses COPY CSV with a control character as
 * its quote (JSON never contains it raw), so the same scanner serves both formats.
 */
export class RowScanner {
  private inQuotes = false;

  constructor(private readonly quote: number = 0x22) {}

  /**
   * Scans a chunk; returns how many rows end in it and the offset just past the last
   * row end (-1 when no row ends in the chunk). With `limit`, stops after that many rows:
   * the rest of the chunk is then unscanned and must be passed to `scan` again.
   */
  scan(chunk: Buffer, limit = Infinity): { rows: number; lastRowEnd: number } {
    // Hot path of every export (each byte of every table passes here): newlines are found
    // natively, and the quotes between them counted by a plain loop. Looking quotes up
    // with indexOf instead cost a native call per quote, which CSV-quoted JSON is full of
    // (the benchmark measured 4x slower).
    const { quote } = this;
    const length = chunk.length;
    let quoted = this.inQuotes;
    let rows = 0;
    let lastRowEnd = -1;
    let position = 0;
    while (position < length && rows < limit) {
      const newline = chunk.indexOf(0x0a, position);
      const end = newline === -1 ? length : newline;
      for (let i = position; i < end; i += 1) if (chunk[i] === quote) quoted = !quoted;
      if (newline === -1) break;
      if (!quoted) {
        rows += 1;
        lastRowEnd = newline + 1;
      }
      position = newline + 1;
    }
    this.inQuotes = quoted;
    return { rows, lastRowEnd };
  }
}

/** The quote byte the JSON-lines COPY uses (see copy-statements). */
export const JSONL_QUOTE = 0x01;
