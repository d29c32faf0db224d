import type { ExportFormat } from '../core/export-input';
import { qualifiedName, quoteIdent } from './queryable';

interface CopyTable {
  readonly schema: string;
  readonly name: string;
  readonly kind: 'table' | 'partitioned';
}

/**
 * JSON lines come out of COPY CSV with control characters as quote and delimiter: JSON
 * escapes every control character, so neither ever appears and each row is one raw line.
 */
const JSONL_OPTIONS = `(format csv, quote e'\\x01', delimiter e'\\x02')`;

/** `(a, b)`, or nothing for a table without columns (COPY takes no empty list; it then means every column: none). */
const columnList = (columns: readonly string[]) => (columns.length > 0 ? ` (${columns.map(quoteIdent).join(', ')})` : '');

/**
 * The COPY that streams a table's rows. Plain tables use `COPY table (cols)`, which reads
 * only that table's own rows (not inheritance children); partitioned roots go through a
 * SELECT so every partition's rows come out once. Generated columns are not in `columns`.
 * `jsonlText`: columns JSON lines carry as text (manifest column `jsonlText`: hstore's cast
 * to json makes an object its input does not read back).
 */
export function copyOutStatement(table: CopyTable, columns: readonly string[], format: ExportFormat, jsonlText: readonly string[] = [], pages?: PageRange): string {
  const cols = columns.map(quoteIdent).join(', ');
  const source = qualifiedName(table.schema, table.name);
  const where = pages ? ` where ${pageRangeCondition(pages)}` : '';
  if (format === 'jsonl') {
    const only = table.kind === 'table' ? 'only ' : '';
    const selected = columns.map((c) => (jsonlText.includes(c) ? `${quoteIdent(c)}::text as ${quoteIdent(c)}` : quoteIdent(c))).join(', ');
    // `r.*`, not `r`: a bare `r` would mean a column of that name, if the table has one.
    return `copy (select row_to_json(r.*)::text from (select ${selected} from ${only}${source}${where}) r) to stdout ${JSONL_OPTIONS}`;
  }
  if (table.kind === 'partitioned') return `copy (select ${cols} from ${source}) to stdout (format csv)`;
  // A query's COPY prints values exactly as the table's does; `select` of no columns is valid too.
  if (pages) return `copy (select ${cols} from only ${source}${where}) to stdout (format csv)`;
  return `copy ${source}${columnList(columns)} to stdout (format csv)`;
}

/** Heap pages `[from, to)` of a plain table; `to` null: every page from `from` on. */
export interface PageRange {
  readonly from: number;
  readonly to: number | null;
}

/** A TID range scan (PostgreSQL 14+) reads only these pages; older servers filter a full scan. */
function pageRangeCondition(pages: PageRange): string {
  const from = `ctid >= '(${Math.trunc(pages.from)},0)'::tid`;
  return pages.to === null ? from : `${from} and ctid < '(${Math.trunc(pages.to)},0)'::tid`;
}

/** The COPY that loads CSV parts into a table (partitioned roots route rows to partitions). */
export function copyInStatement(schema: string, name: string, columns: readonly string[]): string {
  return `copy ${qualifiedName(schema, name)}${columnList(columns)} from stdin (format csv)`;
}

/** JSON lines load through a one-column staging table, then json_populate_record. */
export function copyInJsonlStatement(stagingTable: string): string {
  return `copy ${stagingTable} (line) from stdin ${JSONL_OPTIONS}`;
}
