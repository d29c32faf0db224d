import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';

describe('Pagila exported and restored into an empty database gives the same data', () => {
  let world: TestWorld;
  let client: RestorepointClient;
  let source: ScratchDatabase;
  let targets: Record<string, ScratchDatabase>;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-export-'));

  before(async () => {
    source = await pagilaDatabase();
    targets = { folder: await scratchDatabase('restored'), gcs: await scratchDatabase('restored') };
    world = await startTestWorld({ pagila: source.url, ...Object.fromEntries(Object.entries(targets).map(([name, db]) => [`into-${name}`, db.url])) });
    await world.startWorker();
    client = await connectClient(world.config);
  });

  after(async () => {
    await client?.close();
    await world?.close();
    await source?.drop();
    for (const t of Object.values(targets ?? {})) await t.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  for (const [label, destination] of [
    ['folder', () => `file://${folder}`],
    ['gcs', () => `gs://restorepoint-test-${process.pid}/pagila`],
  ] as const) {
    it(`round-trips through ${label}, table by table and sequence by sequence`, async () => {
      const handle = await startExport(client, { source: 'pagila', destination: destination(), requestedBy: 'test' });
      const summary = await handle.result();
      assert.ok(summary.tables >= 15, `exported ${summary.tables} tables`);
      assert.equal((await handle.progress()).stage, 'finished');

      const restore = await startRestore(client, { exportId: handle.exportId, target: `into-${label}`, requestedBy: 'test' });
      const result = await restore.result();
      assert.equal(result.mode, 'empty-database');
      assert.deepEqual(await databaseFingerprint(targets[label]!.url), await databaseFingerprint(source.url));
    });
  }
});
