import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listFiles, recordFile, upsertExport, type NewExportFile } from '../../catalog/exports-repo';
import { freshCatalog, type FreshCatalog } from './fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
  await upsertExport(catalog.db, { id: 'exp-1', mode: 'full', source: 'demo', destination: 'gs://b/p', format: 'csv', compression: 'zstd', requestedBy: 'alice' });
});
after(() => catalog.close());

const part = (tableName: string, partNo: number, extra: Partial<NewExportFile> = {}): NewExportFile => ({
  exportId: 'exp-1',
  objectKey: `exp-1/${tableName}/part-${partNo}.csv.zst`,
  tableName,
  partNo,
  rows: 100,
  bytes: 4096,
  sha256: 'b'.repeat(64),
  crc32c: 'AAAAAA==',
  ...extra,
});

test('recording the same object twice is a no-op the second time', async () => {
  assert.equal(await recordFile(catalog.db, part('public.users', 0)), 'inserted');
  assert.equal(await recordFile(catalog.db, part('public.users', 0)), 'unchanged');
  assert.equal((await listFiles(catalog.db, 'exp-1')).length, 1);
});

test('an object re-uploaded with other content replaces its record and says so', async () => {
  assert.equal(await recordFile(catalog.db, part('public.users', 0, { sha256: 'c'.repeat(64), bytes: 4097 })), 'replaced');
  const [file] = await listFiles(catalog.db, 'exp-1');
  assert.deepEqual([file!.sha256, file!.bytes], ['c'.repeat(64), 4097]);
});

test('two objects claiming one part of a table is refused', async () => {
  await assert.rejects(recordFile(catalog.db, part('public.users', 0, { objectKey: 'exp-1/elsewhere.csv.zst' })), { code: '23505' });
});

test('files list in restore order: by table, then part', async () => {
  await recordFile(catalog.db, part('public.users', 2));
  await recordFile(catalog.db, part('public.orders', 0));
  await recordFile(catalog.db, part('public.users', 1));
  assert.deepEqual(
    (await listFiles(catalog.db, 'exp-1')).map((f) => [f.tableName, f.partNo]),
    [
      ['public.orders', 0],
      ['public.users', 0],
      ['public.users', 1],
      ['public.users', 2],
    ],
  );
});

test('a malformed record is INPUT_INVALID and a file of an unknown export is refused', async () => {
  await assert.rejects(recordFile(catalog.db, part('public.users', 3, { sha256: 'not-hex' })), { code: 'INPUT_INVALID' });
  await assert.rejects(recordFile(catalog.db, part('public.users', 3, { exportId: 'missing' })), { code: '23503' });
});
