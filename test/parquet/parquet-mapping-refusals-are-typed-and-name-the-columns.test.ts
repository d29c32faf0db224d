import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isRestorepointError } from '../../core/errors';
import type { ManifestColumn, ParquetMapping } from '../../core/manifest';
import { parquetColumn } from '../../activities/export/parquet-type-mapping';
import { parquetRestoreMapping } from '../../activities/restore/parquet-load-part';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

const column = (name: string, type: string): ManifestColumn => ({ name, type, nullable: true, default: null, generated: null, identity: null });
const table = { schema: 'public', name: 'orders', columns: [column('id', 'bigint'), column('placed', 'timestamp with time zone'), column('total', 'numeric(12,2)')] };
const mappingOf = (columns = table.columns.map(parquetColumn)): ParquetMapping => ({ writer: 'test', tables: { 'public.orders': columns } });

function refusal(work: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    work();
  } catch (error) {
    assert.ok(isRestorepointError(error), String(error));
    return { code: error.code, message: error.message, details: { ...error.details } };
  }
  throw new Error('expected a refusal');
}

describe('Parquet mapping refusals are typed and name the columns', () => {
  it('the mapping this version writes is accepted as is', () => {
    assert.deepEqual(parquetRestoreMapping(mappingOf(), table), mappingOf().tables['public.orders']);
  });

  it('a manifest without a mapping for the table is refused (PARQUET_UNSUPPORTED)', () => {
    const r = refusal(() => parquetRestoreMapping(undefined, table));
    assert.equal(r.code, 'PARQUET_UNSUPPORTED');
    assert.match(r.message, /public\.orders/);
  });

  it('a column written with a mapping this version cannot read back losslessly is refused, naming the column and its type', () => {
    const columns = table.columns.map(parquetColumn);
    columns[1] = { ...columns[1]!, parquetType: 'TIMESTAMP_MS', encoding: 'native' };
    const r = refusal(() => parquetRestoreMapping(mappingOf(columns), table));
    assert.equal(r.code, 'PARQUET_UNSUPPORTED');
    assert.match(r.message, /placed \(timestamp with time zone\)/);
    assert.deepEqual(r.details.columns, [{ name: 'placed', type: 'timestamp with time zone' }]);
  });

  it('every PostgreSQL type has a lossless mapping: native where DuckDB parses it exactly, text otherwise', () => {
    const cases: [string, string, string][] = [
      ['bigint', 'BIGINT', 'native'], ['numeric(12,2)', 'DECIMAL(12,2)', 'native'], ['numeric(40,2)', 'VARCHAR', 'text'], ['numeric', 'VARCHAR', 'text'],
      ['timestamp(3) with time zone', 'TIMESTAMP WITH TIME ZONE', 'epoch-micros'], ['date', 'DATE', 'epoch-days'], ['bytea', 'BLOB', 'hex'],
      ['character varying(45)', 'VARCHAR', 'native'], ['text[]', 'VARCHAR', 'text'], ['mpaa_rating', 'VARCHAR', 'text'], ['interval', 'VARCHAR', 'text'],
      ['jsonb', 'JSON', 'native'], ['uuid', 'UUID', 'native'],
    ];
    for (const [type, parquetType, encoding] of cases) {
      const mapped = parquetColumn(column('c', type));
      assert.deepEqual([mapped.parquetType, mapped.encoding], [parquetType, encoding], type);
    }
  });
});

describe('a value its Parquet type cannot hold fails the export with a typed error', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  before(async () => {
    source = await scratchDatabase('parquet_nan');
    await sql(source.url, 'create table prices (id int primary key, price numeric(8,2))', `insert into prices values (1, 1.5), (2, 'NaN')`);
    w = await exportWorld({ src: source.url });
  });
  after(async () => {
    await w?.close();
    await source?.drop();
  });

  it('NaN in a numeric(8,2) column: PARQUET_VALUE_UNREPRESENTABLE naming the table', async () => {
    const error = await rejectionOf(w.exportNow({ exportId: 'nan-parquet', source: 'src', destination: `gs://restorepoint-parquet-nan-${process.pid}/x`, format: 'parquet' }));
    const failure = failureOf(error);
    assert.equal(failure.type, 'PARQUET_VALUE_UNREPRESENTABLE', failure.message);
    assert.match(failure.message, /public\.prices/);
    assert.match(failure.message, /column "price" \(numeric\(8,2\)\)/);
    assert.doesNotMatch(failure.message, /Original Line/, 'no row data in the error');
  });
});
