import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manifestSchema, type Manifest } from '../../core/manifest';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { pagilaDatabase } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { readWithPyarrow, type ParquetFileContents } from './independent-reader';

/** The benchmark's row shape plus the other common types, with NULLs, empty strings and edge values. */
const COMMON = [
  `create table common (
     id bigint primary key, customer text, quantity int, amount numeric(12,2), created_at timestamptz, active boolean,
     attributes jsonb, day date, at_local timestamp, ratio double precision, small smallint, ref uuid, blob bytea, label varchar(20))`,
  `insert into common
     select g, case when g % 11 = 0 then null when g % 13 = 0 then '' else 'customer ' || substr(md5(g::text), 1, 11) end,
            ((g * 7919) % 100000)::int - 50000, ((g * 104729) % 10000000) / 100.0 - 50000,
            timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '17.000001 seconds', case when g % 5 = 0 then null else g % 3 <> 0 end,
            jsonb_build_object('tier', (array['free', 'pro', 'team', 'enterprise'])[1 + g % 4], 'score', g % 997, 'tags', jsonb_build_array('t' || g % 13, 't' || g % 7)),
            date '1999-12-31' + (g % 20000 - 10000), timestamp '2000-01-01' - g * interval '1 hour 1 microsecond', g / 7.0::float8, (g % 65536 - 32768)::smallint,
            md5(g::text)::uuid, decode(md5(g::text), 'hex'), 'é ✓ ' || g
       from generate_series(1, 20000) g`,
  `insert into common values
     (-1, e'tab\\tnew\\nline "q" \\\\', 2147483647, 9999999999.99, 'infinity', false, '{"ü": [null, 1.5e300]}', 'infinity', '-infinity', 'NaN', 32767, null, '\\x', ''),
     (-2, null, -2147483648, -9999999999.99, '-infinity', true, '[]', '-infinity', 'infinity', '-Infinity', -32768, '00000000-0000-0000-0000-000000000000', '\\x00', null),
     (-3, '', 0, 0, '0044-03-15 12:00:00+00 BC', null, 'null', '0044-03-15 BC', '1970-01-01', 5e-324, 0, null, null, null)`,
];

/** What the independent reader must show for each column, computed by PostgreSQL itself. */
const EXPECTED = `select id::text as id, customer, quantity::text as quantity, amount::text as amount,
    case when created_at = 'infinity' then '9223372036854775807' when created_at = '-infinity' then '-9223372036854775807'
         else (extract(epoch from created_at) * 1000000)::bigint::text end as created_at,
    active::text as active, attributes::text as attributes,
    case when day = 'infinity' then '2147483647' when day = '-infinity' then '-2147483647' else (day - date '1970-01-01')::text end as day,
    case when at_local = 'infinity' then '9223372036854775807' when at_local = '-infinity' then '-9223372036854775807'
         else (extract(epoch from at_local) * 1000000)::bigint::text end as at_local,
    ratio::text as ratio, small::text as small, ref::text as ref, encode(blob, 'hex') as blob, label
  from common`;

const FLOAT_COLUMNS = new Set(['ratio']);

describe('Parquet parts read back exactly in an independent reader (pyarrow)', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let pagila: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-parquet-'));

  before(async () => {
    source = await scratchDatabase('parquet_src');
    await sql(source.url, ...COMMON);
    pagila = await pagilaDatabase();
    w = await exportWorld({ common: source.url, pagila: pagila.url });
  });
  after(async () => {
    await w?.close();
    for (const db of [source, pagila]) await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const manifestOf = (exportId: string): Manifest => manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(folder, exportId, 'manifest.json'), 'utf8')));

  it('the common types, cut into several parts, read back row for row and value for value', async () => {
    // The independent reader reads the stored files as they are: unencrypted Parquet.
    await w.exportNow({ exportId: 'common-parquet', source: 'common', destination: `file://${folder}`, format: 'parquet', partSizeBytes: 512 * 1024, encrypt: false });
    const manifest = manifestOf('common-parquet');
    assert.equal(manifest.format, 'parquet');
    const table = manifest.tables.find((t) => t.name === 'common')!;
    assert.ok(table.parts.length >= 3, `${table.parts.length} parts`);
    const mapping = manifest.parquet?.tables['public.common'];
    assert.deepEqual(
      mapping?.map((c) => [c.name, c.parquetType]),
      [
        ['id', 'BIGINT'], ['customer', 'VARCHAR'], ['quantity', 'INTEGER'], ['amount', 'DECIMAL(12,2)'], ['created_at', 'TIMESTAMP WITH TIME ZONE'],
        ['active', 'BOOLEAN'], ['attributes', 'JSON'], ['day', 'DATE'], ['at_local', 'TIMESTAMP'], ['ratio', 'DOUBLE'], ['small', 'SMALLINT'],
        ['ref', 'UUID'], ['blob', 'BLOB'], ['label', 'VARCHAR'],
      ],
    );

    const files = readWithPyarrow(table.parts.map((p) => path.join(folder, p.key)));
    assert.deepEqual(files.map((f) => f.rows), table.parts.map((p) => p.rows));
    assert.deepEqual(files[0]!.schema, {
      id: 'int64', customer: 'string', quantity: 'int32', amount: 'decimal128(12, 2)', created_at: 'timestamp[us, tz=UTC]', active: 'bool',
      attributes: 'extension<arrow.json>', day: 'date32[day]', at_local: 'timestamp[us]', ratio: 'double', small: 'int16',
      ref: 'extension<arrow.uuid>', blob: 'binary', label: 'string',
    });

    const expected = await sql<Record<string, string | null>>(source.url, EXPECTED);
    const read = rowsOf(files);
    assert.equal(read.size, expected.length);
    for (const row of expected) {
      const got = read.get(row.id!);
      assert.ok(got, `row ${row.id} is missing`);
      for (const [column, value] of Object.entries(row)) {
        if (FLOAT_COLUMNS.has(column)) assert.ok(Object.is(Number(got[column]), Number(value)), `${row.id}.${column}: ${got[column]} vs ${value}`);
        else assert.equal(got[column], value, `${row.id}.${column}`);
      }
    }
  });

  it('Pagila: every table reads back with its row count, and the manifest records the mapping of every column', async () => {
    await w.exportNow({ exportId: 'pagila-parquet', source: 'pagila', destination: `file://${folder}`, format: 'parquet', encrypt: false });
    const manifest = manifestOf('pagila-parquet');
    // One reader run for every part (each run starts Python).
    const byPath = new Map(readWithPyarrow(manifest.tables.flatMap((t) => t.parts.map((p) => path.join(folder, p.key)))).map((f) => [f.path, f]));
    for (const table of manifest.tables) {
      const files = table.parts.map((p) => byPath.get(path.join(folder, p.key))!);
      const [{ count }] = await sql<{ count: string }>(pagila.url, `select count(*)::text as count from ${table.kind === 'table' ? 'only ' : ''}"${table.schema}"."${table.name}"`);
      assert.equal(files.reduce((s, f) => s + f.rows, 0), Number(count), `${table.name} rows`);
      assert.equal(table.rows, Number(count));
      const mapped = manifest.parquet!.tables[`${table.schema}.${table.name}`]!;
      assert.deepEqual(mapped.map((c) => c.name), table.columns.filter((c) => c.generated === null).map((c) => c.name));
      assert.deepEqual(Object.keys(files[0]!.schema), mapped.map((c) => c.name));
    }
    // Common Pagila types land as native Parquet types, and their values match.
    const payment = manifest.tables.find((t) => t.name === 'payment')!;
    const files = payment.parts.map((p) => byPath.get(path.join(folder, p.key))!);
    assert.equal(files[0]!.schema.amount, 'decimal128(5, 2)');
    assert.equal(files[0]!.schema.payment_date, 'timestamp[us, tz=UTC]');
    assert.equal(files[0]!.schema.payment_id, 'int32');
    const [sums] = await sql<{ amount: string; micros: string }>(pagila.url, `select sum(amount)::text as amount, sum((extract(epoch from payment_date) * 1000000)::bigint)::text as micros from payment`);
    const read = files.flatMap((f) => f.columns.amount as string[]);
    const cents = read.reduce((s, v) => s + BigInt(v.replace('.', '')), 0n);
    assert.equal(cents, BigInt(sums!.amount.replace('.', '')));
    assert.equal(files.flatMap((f) => f.columns.payment_date as string[]).reduce((s, v) => s + BigInt(v), 0n), BigInt(sums!.micros));
  });
});

function rowsOf(files: readonly ParquetFileContents[]): Map<string, Record<string, unknown>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const file of files) {
    for (let i = 0; i < file.rows; i += 1) {
      const row = Object.fromEntries(Object.entries(file.columns).map(([name, values]) => [name, values[i]]));
      rows.set(row.id as string, row);
    }
  }
  return rows;
}
