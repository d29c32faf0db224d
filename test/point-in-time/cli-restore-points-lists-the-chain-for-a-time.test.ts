import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { recordCoverage, recordTrailRange } from '../../catalog/chain-repo';
import { markExport, upsertExport } from '../../catalog/exports-repo';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { runCli, type CliResult } from '../support/cli';
import { tokenFor } from '../support/identity';

let catalog: FreshCatalog;
const hash = (n: number) => String(n).padStart(64, '0');

let token: string;
/** The CLI checks catalog.read before it reads the catalog: it presents a token of the local issuer. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli({ RESTOREPOINT_CATALOG_URL: catalog.url, RESTOREPOINT_TOKEN: token }, args);
}

async function finished(id: string, mode: 'full' | 'incremental', range: Parameters<typeof recordTrailRange>[2]): Promise<void> {
  await upsertExport(catalog.db, { id, mode, source: 'app', destination: 'file:///tmp/x', format: 'csv', compression: 'zstd', requestedBy: 'test' });
  await markExport(catalog.db, id, 'running');
  await recordTrailRange(catalog.db, id, range);
  await markExport(catalog.db, id, 'succeeded', { snapshot: { txidSnapshot: '100:100:' } });
}

before(async () => {
  token = await tokenFor('auditor', { app: ['viewer'] });
  catalog = await freshCatalog();
  await finished('f1', 'full', { from: null, to: { position: 10, hash: hash(10) }, asOf: new Date('2026-01-01T00:00:00Z') });
  await finished('d1', 'incremental', { from: { position: 10, hash: hash(10) }, to: { position: 20, hash: hash(20) }, asOf: new Date('2026-01-01T01:00:00Z'), parentExportId: 'f1', baseExportId: 'f1' });
  await recordCoverage(catalog.db, 'f1', { role: 'backup', partial: false, tables: ['public.customer', 'public.film'] });
  // A later export of film only (`export --tables film`).
  await finished('p1', 'full', { from: null, to: { position: 25, hash: hash(25) }, asOf: new Date('2026-01-01T01:30:00Z') });
  await recordCoverage(catalog.db, 'p1', { role: 'backup', partial: true, tables: ['public.film'] });
});
after(async () => {
  await catalog.close();
});

test('`restore-points --at` names the full export, the deltas and the trail entries', async () => {
  const { code, stdout } = await cli('restore-points', '--source', 'app', '--at', '2026-01-01T02:00:00Z');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /1\. restore full export f1 .*\n {2}2\. apply incremental export d1 \(entries 11\.\.20.*\n {2}3\. apply live trail entries after 20/);
  const json = JSON.parse((await cli('restore-points', '--source', 'app', '--at', '2026-01-01T00:30:00Z', '--json')).stdout) as { base: { exportId: string }; tail: unknown };
  assert.deepEqual([json.base.exportId, json.tail], ['f1', { kind: 'archive', exportId: 'd1', afterPosition: 10, throughPosition: 20 }]);
});

test('`restore-points` lists the exports with their trail ranges', async () => {
  const { code, stdout } = await cli('restore-points', '--source', 'app');
  assert.equal(code, 0);
  assert.match(stdout, /f1 +full +succeeded .* @10/);
  assert.match(stdout, /d1 +incremental +succeeded .* 10\.\.20 +f1 +f1/);
});

test('a time before any export exits 1 naming NO_RESTORE_POINT; a malformed time exits 2', async () => {
  const early = await cli('restore-points', '--source', 'app', '--at', '2025-01-01T00:00:00Z');
  assert.equal(early.code, 1);
  assert.match(early.stderr, /NO_RESTORE_POINT/);
  assert.equal((await cli('restore-points', '--source', 'app', '--at', 'yesterday')).code, 2);
});

test('`restore-points --at --tables` starts from the newest export holding those tables, never a partial one lacking them', async () => {
  const base = async (...tables: string[]) => {
    const { code, stdout, stderr } = await cli('restore-points', '--source', 'app', '--at', '2026-01-01T02:00:00Z', ...tables, '--json');
    return code === 0 ? (JSON.parse(stdout) as { base: { exportId: string } }).base.exportId : `${code} ${stderr}${stdout}`;
  };
  assert.equal(await base(), 'f1');
  assert.equal(await base('--tables', 'film'), 'p1');
  assert.equal(await base('--tables', 'film,customer'), 'f1');
  assert.match(await base('--tables', 'no_such_table'), /^1 .*NO_RESTORE_POINT.*holds no_such_table: p1 holds only public\.film, not no_such_table/s);
});
