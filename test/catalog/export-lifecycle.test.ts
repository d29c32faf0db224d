import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getExport, listExports, markExport, upsertExport, type NewExport } from '../../catalog/exports-repo';
import { freshCatalog, type FreshCatalog } from './fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
});
after(() => catalog.close());

const request = (id: string, extra: Partial<NewExport> = {}): NewExport => ({
  id,
  mode: 'full',
  source: 'demo',
  destination: 'gs://backups/demo',
  format: 'csv',
  compression: 'zstd',
  tags: { purpose: 'test' },
  requestedBy: 'alice',
  ...extra,
});

test('a repeated request returns the first row instead of a second one', async () => {
  const first = await upsertExport(catalog.db, request('exp-1'));
  assert.equal(first.created, true);
  assert.equal(first.export.status, 'requested');
  assert.equal(first.export.verificationStatus, 'unverified');
  assert.equal(first.export.legalHold, false);
  assert.deepEqual(first.export.tags, { purpose: 'test' });
  const again = await upsertExport(catalog.db, request('exp-1', { requestedBy: 'bob' }));
  assert.deepEqual(again, { created: false, export: first.export });
});

test('an export runs, succeeds with its figures, and a retried mark keeps the first timestamps', async () => {
  const running = await markExport(catalog.db, 'exp-1', 'running', { snapshot: { lsn: '0/16B3748' } });
  assert.ok(running.ok);
  assert.ok(running.export.startedAt instanceof Date);
  const figures = { manifestKey: 'exp-1/manifest.json', manifestSha256: 'a'.repeat(64), tablesCount: 3, rows: 2 ** 40, bytes: 5_000_000_000 };
  const succeeded = await markExport(catalog.db, 'exp-1', 'succeeded', figures);
  assert.ok(succeeded.ok);
  assert.equal(succeeded.export.rows, 2 ** 40, 'bigints come back as numbers');
  assert.equal(succeeded.export.bytes, 5_000_000_000);
  assert.deepEqual(succeeded.export.snapshot, { lsn: '0/16B3748' }, 'fields not in the patch are kept');
  const retried = await markExport(catalog.db, 'exp-1', 'succeeded', figures);
  assert.ok(retried.ok);
  assert.deepEqual(retried.export.finishedAt, succeeded.export.finishedAt);
  assert.deepEqual(retried.export.startedAt, running.export.startedAt);
});

test('a transition the lifecycle does not allow is refused as a value', async () => {
  assert.deepEqual(await markExport(catalog.db, 'exp-1', 'running'), { ok: false, reason: 'transition refused', current: 'succeeded' });
  assert.deepEqual(await markExport(catalog.db, 'nope', 'running'), { ok: false, reason: 'not found' });
});

test('an export under legal hold is not marked deleted', async () => {
  await upsertExport(catalog.db, request('exp-held'));
  await markExport(catalog.db, 'exp-held', 'failed', { error: 'source went away' });
  await catalog.db('exports').where({ id: 'exp-held' }).update({ legal_hold: true });
  assert.deepEqual(await markExport(catalog.db, 'exp-held', 'deleted'), { ok: false, reason: 'legal hold', current: 'failed' });
  assert.equal((await getExport(catalog.db, 'exp-held'))?.error, 'source went away');
});

test('an incremental export points at its parent and base', async () => {
  const { export: child } = await upsertExport(catalog.db, request('exp-2', { mode: 'incremental', parentExportId: 'exp-1', baseExportId: 'exp-1' }));
  assert.deepEqual([child.parentExportId, child.baseExportId], ['exp-1', 'exp-1']);
  await assert.rejects(upsertExport(catalog.db, request('exp-3', { baseExportId: 'missing' })), { code: '23503' });
});

test('a source URL is refused: by the repository, and by the table itself', async () => {
  await assert.rejects(upsertExport(catalog.db, request('exp-url', { source: 'postgres://u:secret@db/app' })), { code: 'INPUT_INVALID' });
  await assert.rejects(
    catalog.db('exports').insert({ id: 'exp-url', mode: 'full', source: 'postgres://u:secret@db/app', destination: 'x', format: 'csv', compression: 'none', requested_by: 'a' }),
    { code: '23514', constraint: 'exports_source_is_a_name' },
  );
});

test('exports list newest first, filtered by source and status', async () => {
  await upsertExport(catalog.db, request('exp-other', { source: 'billing' }));
  assert.deepEqual((await listExports(catalog.db, { source: 'billing' })).map((e) => e.id), ['exp-other']);
  assert.deepEqual((await listExports(catalog.db, { status: 'succeeded' })).map((e) => e.id), ['exp-1']);
  const all = await listExports(catalog.db);
  assert.equal(all[0]!.id, 'exp-other');
  assert.equal(all.length, 4);
  assert.equal((await listExports(catalog.db, { limit: 2 })).length, 2);
});
