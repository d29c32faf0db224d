/** Replaces one column's value (its COPY text, null for NULL) with its masked text, or null. */
export type ColumnMask = (value: string | null) => string | null;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;

/**
 * A value as PostgreSQL's COPY CSV prints it: quoted only when it must be (empty, a delimiter,
 * quote or line break, or `\.` alone on its row), so a restored copy fingerprints the same.
 */
function csvField(value: string | null, singleColumn: boolean): string {
  if (value === null) return '';
  if (value === '' || (singleColumn && value === '\\.') || /[",\n\r]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

/**
 * Masks chosen columns of COPY CSV output (comma, double quote, an unquoted empty field is
 * NULL), one chunk at a time: COPY chunks end on row boundaries (streams/copy-out-reader.ts).
 * Columns without a mask keep their bytes exactly; masked ones are decoded, replaced and
 * printed back as PostgreSQL would print the new value.
 */
export function csvRowMasker(masks: readonly (ColumnMask | undefined)[]): (chunk: Buffer) => Buffer {
  return (chunk) => {
    const out: Buffer[] = [];
    let column = 0;
    let i = 0;
    while (i < chunk.length) {
      const start = i;
      let quoted = false;
      if (chunk[i] === QUOTE) {
        quoted = true;
        for (i += 1; ; i += 1) {
          if (i >= chunk.length) throw new Error('a CSV chunk ends inside a quoted field');
          if (chunk[i] !== QUOTE) continue;
          if (chunk[i + 1] === QUOTE) i += 1;
          else break;
        }
        i += 1;
      } else {
        while (i < chunk.length && chunk[i] !== COMMA && chunk[i] !== LF) i += 1;
      }
      const mask = masks[column];
      if (mask) {
        const raw = chunk.toString('utf8', start, i);
        const value = quoted ? raw.slice(1, -1).replace(/""/g, '"') : raw === '' ? null : raw;
        out.push(Buffer.from(csvField(mask(value), masks.length === 1), 'utf8'));
      } else {
        out.push(chunk.subarray(start, i));
      }
      if (i >= chunk.length) break;
      out.push(chunk.subarray(i, i + 1));
      column = chunk[i] === LF ? 0 : column + 1;
      i += 1;
    }
    return Buffer.concat(out);
  };
}
