import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { startExport } from '../../client/exports';
import { exportWorkflowId } from '../../core/export-input';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from './harness';

/**
 * Issue 18: `file:///dir/../elsewhere` and `%2e%2e` escaped the destination folder;
 * `gs://bucket/../x` and `file://…?x=1` were refused only in the worker, after a catalog row
 * and ledger entries existed; three exports started at once with one `--id` and different
 * options all exited 0 "finished" (one ran); a source given as a URL printed its password.
 */
describe('bad destinations, source URLs and conflicting ids are refused before any record', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let folder: string;
  const password = 'hunter2-not-for-logs';

  before(async () => {
    source = await scratchDatabase('inputs');
    await sql(source.url, 'create table t (id int primary key, v text)', 'insert into t select g, md5(g::text) from generate_series(1, 200) g');
    w = await exportWorld({ src: source.url });
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-inputs-'));
  });
  after(async () => {
    await w?.close();
    await source?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  async function catalogIsEmpty(): Promise<void> {
    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      assert.deepEqual(await catalog('exports').select('id'), []);
      assert.deepEqual(await listLedger(catalog, {}), []);
    } finally {
      await catalog.destroy();
    }
  }

  it('refuses each bad destination in the client and again in the workflow, with no catalog row or ledger entry', async () => {
    const bad = [
      `file://${folder}/../elsewhere`,
      `file://${folder}/%2e%2e/elsewhere`,
      `file://${folder}?x=1`,
      `file://${folder}#x`,
      'gs://restorepoint-inputs/../x',
      'gs://restorepoint-inputs/a/%2E%2E/x',
      'gs://restorepoint-inputs/x?y=1',
    ];
    for (const [index, destination] of bad.entries()) {
      const refused = (await rejectionOf(startExport(w.client, { exportId: `bad-${index}`, source: 'src', destination, requestedBy: 'test' }))) as Error & { code?: string };
      assert.equal(refused.code, 'INPUT_INVALID', destination);
      assert.match(refused.message, /destination: /, destination);
      // Forced past the client, the workflow's own input check refuses it before its first activity.
      const handle = await w.client.temporal.workflow.start('exportWorkflow', { taskQueue: w.client.taskQueue, workflowId: exportWorkflowId(`direct-${index}`), args: [{ exportId: `direct-${index}`, source: 'src', destination }] });
      assert.equal(failureOf(await rejectionOf(handle.result())).type, 'INPUT_INVALID', destination);
    }
    await catalogIsEmpty();
    assert.deepEqual(fs.readdirSync(path.dirname(folder)).filter((name) => name === 'elsewhere'), []);
  });

  it('refuses a connection URL given as the source without printing its password, and starts nothing', async () => {
    const url = `postgres://alice:${password}@127.0.0.1:5432/app`;
    for (const args of [
      ['export', '--source', url, '--to', `file://${folder}`, '--id', 'url-source'],
      ['export', '--source', url, '--to', `file://${folder}`, '--id', 'url-source', '--json'],
      ['restore', 'some-export', '--target', url],
      ['trail', 'status', '--source', url],
    ]) {
      const result = await runCli(worldCliEnv(w.world), args);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.ok(!`${result.stdout}${result.stderr}`.includes(password), `${args[0]}: the password was printed: ${result.stderr}`);
    }
    await catalogIsEmpty();
  });

  it('runs one of three exports started at once with one id and different options; the others are refused ID_CONFLICT', async () => {
    const env = worldCliEnv(w.world);
    const start = (format: string) => runCli(env, ['export', '--source', 'src', '--to', `file://${folder}`, '--id', 'three-at-once', '--format', format, '--wait', '--json']);
    const results = await Promise.all(['csv', 'jsonl', 'parquet'].map(start));
    const finished = results.filter((r) => r.code === 0);
    const conflicts = results.filter((r) => r.code !== 0);
    assert.equal(finished.length, 1, results.map((r) => r.stdout + r.stderr).join('\n'));
    for (const refused of conflicts) {
      const { error } = JSON.parse(refused.stdout.trim().split('\n').pop()!) as { error: { code: string; message: string } };
      assert.equal(error.code, 'ID_CONFLICT');
      assert.match(error.message, /export id "three-at-once" is already used by an export started with other options \(format differ\)/);
    }
    // The same options again follow the export that ran (exactly one format is its); other options are still refused.
    const description = await w.client.temporal.workflow.getHandle(exportWorkflowId('three-at-once')).describe();
    assert.equal(description.status.name, 'COMPLETED');
    const again = await Promise.allSettled(['csv', 'jsonl', 'parquet'].map(async (format) => (await startExport(w.client, { exportId: 'three-at-once', source: 'src', destination: `file://${folder}`, format: format as 'csv', requestedBy: 'someone else' })).result()));
    assert.equal(again.filter((r) => r.status === 'fulfilled').length, 1);
    const conflict = (await rejectionOf(startExport(w.client, { exportId: 'three-at-once', source: 'src', destination: 'gs://restorepoint-inputs/x', requestedBy: 'test' }))) as Error & { code?: string };
    assert.equal(conflict.code, 'ID_CONFLICT');
    assert.match(conflict.message, /destination/);
  });
});
