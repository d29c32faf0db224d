import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { pagilaDatabase } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

/** One column of every mapping (native, epoch days/micros, hex, text) with the values that break naive encoders. */
const KINDS = [
  `create type mood as enum ('sad', 'ok', 'happy')`,
  `create table kinds (
     id int generated always as identity primary key, s smallint, b bigint, r real, d double precision, ok boolean, t text, vc varchar(10), ch char(4),
     n numeric(12,2), nwide numeric, u uuid, j json, jb jsonb, dt date, ts timestamp, tstz timestamptz(3), by bytea, arr int[], tarr text[], m mood,
     iv interval, tm time, tz timetz, rg int4range, doubled bigint generated always as (b * 2) stored)`,
  `insert into kinds (s, b, r, d, ok, t, vc, ch, n, nwide, u, j, jb, dt, ts, tstz, by, arr, tarr, m, iv, tm, tz, rg) values
     (1, 4611686018427387903, 1.5, 0.1, true, 'hello, "world"', 'x', 'ab', 1234567890.12, 3.14159265358979323846264338327950288419716939937510,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1,  "b":[1,2]}', '{"z": 1, "a": "\\u00e9"}', '2024-02-29', '2024-01-01 12:34:56.789012',
      '2024-06-30 23:59:59.999+02', '\\x00ff10', '{1,NULL,3}', '{"a,b","c\\"d","",NULL}', 'happy', '1 year 2 mons 3 days 04:05:06.789', '24:00:00', '12:00:00+05:30', '[1,10)'),
     (null, -4611686018427387904, 'NaN', 'Infinity', false, '', '', '', -0.01, 'NaN', null, 'null', '[]', '0044-03-15 BC', '-infinity', 'infinity',
      '\\x', '{}', '{}', null, '-1 days', '00:00:00', null, 'empty'),
     (-32768, 0, '-Infinity', -1.7976931348623157e308, null, null, null, null, null, null, null, null, null, 'infinity', '1999-12-31 23:59:59.999999',
      '0001-01-01 00:00:00+00 BC', null, null, null, 'sad', null, null, null, null),
     (0, 1, 3.4028235e38, 5e-324, true, e'line1\\nline2\\\\ \\x01 \\r\\n', 'q', 'q', 0, 0, '00000000-0000-0000-0000-000000000000', '"s"',
      '{"k": null}', '1970-01-01', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '\\x', '{{1,2},{3,4}}', '{"ünïcödé ✓ 🦆"}', 'ok', '0', '12:00:00.000001', '00:00:00-12', '(,)')`,
  `select setval(pg_get_serial_sequence('kinds', 'id'), 40)`,
];

describe('Pagila and every mapped type restore from Parquet exactly', () => {
  let w: ExportWorld;
  let kinds: ScratchDatabase;
  let pagila: ScratchDatabase;
  const targets: Record<string, ScratchDatabase> = {};
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-parquet-'));

  before(async () => {
    kinds = await scratchDatabase('parquet_kinds');
    await sql(kinds.url, ...KINDS);
    pagila = await pagilaDatabase();
    for (const name of ['pagila-gcs', 'pagila-folder', 'kinds']) targets[name] = await scratchDatabase('parquet_dst');
    w = await exportWorld({ kinds: kinds.url, pagila: pagila.url, ...Object.fromEntries(Object.entries(targets).map(([n, db]) => [`into-${n}`, db.url])) });
  });
  after(async () => {
    await w?.close();
    for (const db of [kinds, pagila, ...Object.values(targets)]) await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  for (const [label, destination] of [
    ['gcs', () => `gs://restorepoint-parquet-${process.pid}/pagila`],
    ['folder', () => `file://${folder}`],
  ] as const) {
    it(`Pagila through ${label}: the same data table by table and the same sequence values`, async () => {
      const exportId = `pagila-parquet-${label}`;
      await w.exportNow({ exportId, source: 'pagila', destination: destination(), format: 'parquet' });
      const restored = await w.restoreNow({ exportId, target: `into-pagila-${label}` });
      assert.equal(restored.mode, 'empty-database');
      assert.deepEqual(await databaseFingerprint(targets[`pagila-${label}`]!.url), await databaseFingerprint(pagila.url));
    });
  }

  it('every mapping round-trips: infinities, BC dates, NaN, bytea, json text, arrays, enums, identity and generated columns', async () => {
    await w.exportNow({ exportId: 'kinds-parquet', source: 'kinds', destination: `file://${folder}`, format: 'parquet', compression: 'gzip' });
    const restored = await w.restoreNow({ exportId: 'kinds-parquet', target: 'into-kinds' });
    assert.equal(restored.rows, 4);
    assert.deepEqual(await databaseFingerprint(targets.kinds!.url), await databaseFingerprint(kinds.url));
  });
});
