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
    let rows = 0;
    let lastRowEnd = -1;
    let position = 0;
    const { quote } = this;
    // Cached so that a chunk with many rows and a far (or no) quote is not rescanned per row.
    let nextQuote = chunk.indexOf(quote, 0);
    while (position < chunk.length && rows < limit) {
      if (nextQuote !== -1 && nextQuote < position) nextQuote = chunk.indexOf(quote, position);
      if (this.inQuotes) {
        if (nextQuote === -1) break;
        this.inQuotes = false;
        position = nextQuote + 1;
        continue;
      }
      const newline = chunk.indexOf(0x0a, position);
      if (nextQuote !== -1 && (newline === -1 || nextQuote < newline)) {
        this.inQuotes = true;
        position = nextQuote + 1;
        continue;
      }
      if (newline === -1) break;
      rows += 1;
      lastRowEnd = newline + 1;
      position = newline + 1;
    }
    return { rows, lastRowEnd };
  }
}

/** The quote byte the JSON-lines COPY uses (see copy-statements). */
export const JSONL_QUOTE = 0x01;
