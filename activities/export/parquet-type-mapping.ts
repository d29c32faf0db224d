import type { ManifestColumn, ParquetColumn } from '../../core/manifest';
import { quoteIdent } from '../../postgres/queryable';

/**
 * How each PostgreSQL type becomes a Parquet column, and back. docs/parquet.md is the
 * user-facing table; this is the one place that decides it.
 *
 * Every column travels PostgreSQL → CSV → DuckDB → Parquet. A column's `encoding` says
 * what the CSV carries between the two, chosen so no value is ever rounded or reparsed
 * by rules that differ between the systems:
 * - `native`: PostgreSQL's own text, which DuckDB parses exactly for these types;
 * - `epoch-days` / `epoch-micros`: an integer since 1970-01-01 (dates, timestamps), or the
 *   words infinity / -infinity, so BC dates and infinities survive;
 * - `hex`: bytea as hex digits;
 * - `text`: anything else (arrays, enums, domains, intervals, ranges, unconstrained
 *   numeric, ...) as PostgreSQL's text form in a Parquet STRING. Lossless, and restored
 *   with a cast back to the column's type, but analytics tools see a string.
 */
export function parquetColumn(column: Pick<ManifestColumn, 'name' | 'type'>): ParquetColumn {
  const pgType = column.type;
  const mapped = (parquetType: string, encoding: ParquetColumn['encoding']): ParquetColumn => ({ name: column.name, pgType, parquetType, encoding });
  if (pgType.endsWith(']')) return mapped('VARCHAR', 'text');
  const decimal = /^numeric\((\d+),(\d+)\)$/.exec(pgType);
  if (decimal) {
    const [precision, scale] = [Number(decimal[1]), Number(decimal[2])];
    // DuckDB's DECIMAL holds at most 38 digits and no negative scale; wider ones stay exact as text.
    return precision <= 38 && scale >= 0 && scale <= precision ? mapped(`DECIMAL(${precision},${scale})`, 'native') : mapped('VARCHAR', 'text');
  }
  const base = pgType.replace(/\(\d+(,\d+)?\)/, '');
  const simple = NATIVE[base];
  if (simple) return mapped(simple, 'native');
  if (base === 'date') return mapped('DATE', 'epoch-days');
  if (base === 'timestamp without time zone') return mapped('TIMESTAMP', 'epoch-micros');
  if (base === 'timestamp with time zone') return mapped('TIMESTAMP WITH TIME ZONE', 'epoch-micros');
  if (base === 'bytea') return mapped('BLOB', 'hex');
  return mapped('VARCHAR', 'text');
}

/** Types whose PostgreSQL text DuckDB parses to the same value. */
const NATIVE: Record<string, string> = {
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  'double precision': 'DOUBLE',
  boolean: 'BOOLEAN',
  text: 'VARCHAR',
  'character varying': 'VARCHAR',
  character: 'VARCHAR',
  name: 'VARCHAR',
  uuid: 'UUID',
  json: 'JSON',
  jsonb: 'JSON',
};

/** The parquet file's columns as stored, for comparing a part against the manifest. */
export function parquetColumns(columns: readonly Pick<ManifestColumn, 'name' | 'type' | 'generated'>[]): ParquetColumn[] {
  return columns.filter((c) => c.generated === null).map(parquetColumn);
}

// ---- export: PostgreSQL side (what COPY writes for the column) ----

export function pgExportExpression(column: ParquetColumn): string {
  const c = quoteIdent(column.name);
  switch (column.encoding) {
    case 'epoch-days':
      return `case when ${c} = 'infinity' then 'infinity' when ${c} = '-infinity' then '-infinity' else (${c} - date '1970-01-01')::text end`;
    case 'epoch-micros':
      return `case when ${c} = 'infinity' then 'infinity' when ${c} = '-infinity' then '-infinity' else (extract(epoch from ${c}) * 1000000)::bigint::text end`;
    case 'hex':
      return `encode(${c}, 'hex')`;
    default:
      return c;
  }
}

// ---- export: DuckDB side (CSV column → Parquet value) ----

/** DuckDB identifiers quote like PostgreSQL's. */
export const duckIdent = quoteIdent;

export function duckWriteExpression(column: ParquetColumn, csvColumn: string): string {
  const v = duckIdent(csvColumn);
  switch (column.encoding) {
    case 'epoch-days':
      return `case when ${v} = 'infinity' then 'infinity'::date when ${v} = '-infinity' then '-infinity'::date else date '1970-01-01' + ${v}::integer end`;
    case 'epoch-micros': {
      const ts = `case when ${v} = 'infinity' then 'infinity'::timestamp when ${v} = '-infinity' then '-infinity'::timestamp else make_timestamp(${v}::bigint) end`;
      return column.parquetType === 'TIMESTAMP' ? ts : `(${ts})::timestamptz`;
    }
    case 'hex':
      return `unhex(${v})`;
    case 'native':
      return column.parquetType === 'VARCHAR' ? v : `${v}::${column.parquetType}`;
    default:
      return v;
  }
}

// ---- restore: DuckDB side (Parquet value → CSV text for PostgreSQL) ----

export function duckReadExpression(column: ParquetColumn): string {
  const v = duckIdent(column.name);
  switch (column.encoding) {
    case 'epoch-days':
      return `case when isinf(${v}) then (case when ${v} > date '1970-01-01' then 'infinity' else '-infinity' end) else (${v} - date '1970-01-01')::varchar end`;
    case 'epoch-micros':
      return `case when isinf(${v}) then (case when ${v}::timestamp > timestamp '1970-01-01' then 'infinity' else '-infinity' end) else epoch_us(${v})::varchar end`;
    case 'hex':
      return `hex(${v})`;
    default:
      return `${v}::varchar`;
  }
}

// ---- restore: PostgreSQL side (staged text → column value) ----

export function pgRestoreExpression(column: ParquetColumn, stagedColumn: string): string {
  const v = quoteIdent(stagedColumn);
  switch (column.encoding) {
    case 'epoch-days':
      return `(case when ${v} in ('infinity', '-infinity') then ${v}::date else date '1970-01-01' + ${v}::integer end)::${column.pgType}`;
    case 'epoch-micros': {
      const epoch = column.parquetType === 'TIMESTAMP' ? `timestamp 'epoch'` : `timestamptz 'epoch'`;
      return `(case when ${v} in ('infinity', '-infinity') then ${v}::${column.pgType} else ${epoch} + ${v}::bigint * interval '1 microsecond' end)::${column.pgType}`;
    }
    case 'hex':
      return `decode(${v}, 'hex')`;
    default:
      return `${v}::${column.pgType}`;
  }
}
