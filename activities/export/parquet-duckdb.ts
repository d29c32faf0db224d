import type { DuckDBInstance } from '@duckdb/node-api';
import type { Compression } from '../../core/export-input';
import type { ParquetColumn } from '../../core/manifest';
import { duckIdent, duckReadExpression, duckWriteExpression } from './parquet-type-mapping';

/**
 * DuckDB is the Parquet writer (docs/decisions/parquet-writer.md): it turns a part's
 * PostgreSQL CSV into Parquet natively, row group by row group, off the event loop. One
 * in-memory instance per worker process, created by the first Parquet job (the module is
 * loaded only then, so a worker that never writes or reads Parquet never maps DuckDB);
 * each conversion has its own connection.
 */
export const PARQUET_WRITER = 'duckdb 1.5.5 (@duckdb/node-api)';

let instance: Promise<DuckDBInstance> | undefined;

function duckdb(): Promise<DuckDBInstance> {
  instance ??= import('@duckdb/node-api').then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:', {
    threads: '2',
    // Bounds what a conversion may hold; row groups are written as they fill. Each CSV
    // reader thread holds a 32 MiB buffer, which also bounds a row to 16 MiB as CSV.
    memory_limit: '512MB',
    // Nothing may be fetched at run time: json and parquet are built in. (ICU is not, so
    // timestamptz is handled as UTC microseconds, never through a time zone.)
    autoinstall_known_extensions: 'false',
  }));
  return instance;
}

async function run<T>(work: (sql: (text: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> {
  const connection = await (await duckdb()).connect();
  try {
    return await work(async (text) => (await connection.runAndReadAll(text)).getRows() as unknown[][]);
  } finally {
    connection.closeSync();
  }
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

const CODEC: Record<Compression, string> = { zstd: 'zstd', gzip: 'gzip', none: 'uncompressed' };

/** What CSV column `i` is read as: native types parse straight from PostgreSQL's text. */
function csvType(column: ParquetColumn): string {
  return column.encoding === 'native' ? column.parquetType : 'VARCHAR';
}

/**
 * Converts one part's CSV (as PostgreSQL's COPY wrote it) into a Parquet file with the
 * mapped column types, and returns the rows written. Quoted empty fields stay empty
 * strings: only an unquoted empty field is NULL, as in PostgreSQL's CSV.
 */
export async function csvToParquet(csvPath: string, parquetPath: string, columns: readonly ParquetColumn[], compression: Compression, zstdLevel: number): Promise<number> {
  const csvColumns = columns.map((c, i) => `${literal(`c${i}`)}: ${literal(csvType(c))}`).join(', ');
  const select = columns.map((c, i) => `${c.encoding === 'native' ? duckIdent(`c${i}`) : duckWriteExpression(c, `c${i}`)} as ${duckIdent(c.name)}`).join(', ');
  const options = [`format parquet`, `compression ${CODEC[compression]}`, `row_group_size 122880`];
  if (compression === 'zstd') options.push(`compression_level ${zstdLevel}`);
  return run(async (sql) => {
    const rows = await sql(
      `copy (select ${select} from read_csv(${literal(csvPath)}, columns = {${csvColumns}}, header = false, auto_detect = false,
              delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, max_line_size = 16777216, buffer_size = 33554432))
         to ${literal(parquetPath)} (${options.join(', ')})`,
    );
    return Number(rows[0]?.[0] ?? 0);
  });
}

/** The column names a Parquet file stores, in order. */
export async function parquetColumnNames(parquetPath: string): Promise<string[]> {
  return run(async (sql) => (await sql(`describe select * from read_parquet(${literal(parquetPath)})`)).map((r) => String(r[0])));
}

/**
 * Writes a Parquet part back as CSV whose fields PostgreSQL reads with the restore
 * expressions of the mapping: every value quoted, NULL left as an empty unquoted field.
 */
export async function parquetToCsv(parquetPath: string, csvPath: string, columns: readonly ParquetColumn[]): Promise<number> {
  const select = columns.map((c, i) => `${duckReadExpression(c)} as ${duckIdent(`c${i}`)}`).join(', ');
  return run(async (sql) => {
    const rows = await sql(
      `copy (select ${select} from read_parquet(${literal(parquetPath)})) to ${literal(csvPath)}
         (format csv, header false, delim ',', quote '"', escape '"', nullstr '', force_quote *)`,
    );
    return Number(rows[0]?.[0] ?? 0);
  });
}
