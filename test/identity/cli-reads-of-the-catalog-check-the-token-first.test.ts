import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { upsertExport } from '../../catalog/exports-repo';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { runCli, type CliResult } from '../support/cli';
import { tokenFor } from '../support/identity';

/**
 * Commands that read the catalog straight from the CLI (exports, verifications, holds, rollback
 * preview, restore-points, ledger list) verify the caller's token and check the permission
 * first. A courtesy, not a boundary: the catalog URL alone reads it (docs/security.md).
 */
let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
  await upsertExport(catalog.db, { id: 'a-1', mode: 'full', source: 'a', destination: 'file:///tmp/x', format: 'csv', compression: 'zstd', requestedBy: 'test' });
});
after(() => catalog.close());

function cli(token: string, ...args: string[]): Promise<CliResult> {
  return runCli({ RESTOREPOINT_CATALOG_URL: catalog.url, RESTOREPOINT_TOKEN: token, RESTOREPOINT_LOGIN_FILE: path.join(os.tmpdir(), 'restorepoint-no-login') }, args);
}

test('without a token, a catalog read is refused AUTH_INVALID', async () => {
  const { code, stderr } = await cli('', 'exports', 'list');
  assert.equal(code, 1);
  assert.match(stderr, /AUTH_INVALID: no token/);
});

test('a viewer of b reading a\'s exports or one of them is refused PERMISSION_DENIED; a viewer of a reads them', async () => {
  const ofB = await tokenFor('bea', { b: ['viewer'] });
  for (const args of [['exports', 'list', '--source', 'a'], ['exports', 'show', 'a-1'], ['exports', 'list'], ['verifications', 'a-1']]) {
    const { code, stderr } = await cli(ofB, ...args);
    assert.equal(code, 1, args.join(' '));
    assert.match(stderr, /PERMISSION_DENIED: bea holds no role permitting catalog\.read on (a|\*)/, args.join(' '));
  }
  const ofA = await tokenFor('amy', { a: ['viewer'] });
  const shown = await cli(ofA, 'exports', 'show', 'a-1', '--json');
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal((JSON.parse(shown.stdout) as { export: { id: string } }).export.id, 'a-1');
});

test('ledger list needs ledger.read on every source', async () => {
  const { code, stderr } = await cli(await tokenFor('amy', { a: ['viewer'] }), 'ledger', 'list');
  assert.equal(code, 1);
  assert.match(stderr, /PERMISSION_DENIED: amy holds no role permitting ledger\.read on \*/);
  assert.equal((await cli(await tokenFor('ava', { '*': ['viewer'] }), 'ledger', 'list')).code, 0);
});
