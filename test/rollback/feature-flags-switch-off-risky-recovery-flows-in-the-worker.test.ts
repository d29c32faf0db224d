import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRollback } from '../../client/rollbacks';
import type { Config } from '../../config/schema';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { sql, waitForDecisionOrEnd } from './rollback-world';

/** The failure type at the bottom of Temporal's wrapping (workflow → activity → application failure). */
function innermostType(error: Error): string | undefined {
  let current: Error = error;
  while (current.cause instanceof Error) current = current.cause;
  return (current as Error & { type?: string }).type;
}

describe('per-source feature flags switch off risky recovery flows in the worker, and doctor shows them', () => {
  let db: ScratchDatabase;
  let world: TestWorld;
  let worker: RunningWorker;
  let client: RestorepointClient;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-features-'));

  before(async () => {
    db = await scratchDatabase('features');
    await sql(db.url, "create table item (id int primary key, label text); insert into item select g, 'item ' || g from generate_series(1, 20) g");
    world = await startTestWorld({ app: db.url, frozen: db.url });
    // Only the worker's config carries the flags: the client's cannot switch them back on.
    const sources: Config['sources'] = {
      app: { ...world.config.sources.app!, features: { inPlaceRollback: true, revert: false, pointInTimeRollback: false } },
      frozen: { ...world.config.sources.frozen!, features: { inPlaceRollback: false, revert: true, pointInTimeRollback: true } },
    };
    worker = await createWorker({ ...world.config, sources, approval: { ...world.config.approval, approvers: ['bob'] } }, world.env.nativeConnection);
    client = await connectClient(world.config);
  });
  after(async () => {
    await client?.close();
    worker?.worker.shutdown();
    await worker?.finished.catch(() => undefined);
    await world?.close();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const ledgerOf = async (subject: string) => {
    const catalog = openCatalog(world.config.catalog.url);
    try {
      // The caller's authorization entries (auth.*) are the identity tests' concern.
      return (await listLedger(catalog, { subject })).filter((e) => !e.action.startsWith('auth.'));
    } finally {
      await catalog.destroy();
    }
  };

  it('a revert and a point-in-time rollback of a source that switches them off fail FEATURE_DISABLED, in the ledger, with nothing changed', async () => {
    const revert = await startRollback(client, { source: 'app', target: { trail: { actor: 'intern@app' } }, snapshotDestination: `file://${folder}`, requestedBy: 'alice', reason: 'INC-1' });
    const status = await waitForDecisionOrEnd(revert);
    assert.equal(status.stage, 'failed');
    assert.match(status.outcome ?? '', /^refused, nothing was changed: FEATURE_DISABLED: revert is switched off for source "app" \(sources\.app\.features\.revert is false/);
    await assert.rejects(revert.result(), (error: Error) => innermostType(error) === 'FEATURE_DISABLED');
    const entries = await ledgerOf(revert.rollbackId);
    assert.deepEqual(
      entries.map((e) => [e.action, e.outcome]),
      [
        ['rollback.requested', 'ok'],
        ['rollback.refused', 'refused'],
        ['rollback.stage.failed', 'failed'],
      ],
    );
    assert.deepEqual(entries[1]!.details, { source: 'app', disabled: ['revert'] });

    const pointInTime = await startRollback(client, { source: 'app', target: { at: '2026-01-01T00:00:00Z' }, tables: ['item'], requestedBy: 'alice', reason: 'INC-2' });
    assert.match((await waitForDecisionOrEnd(pointInTime)).outcome ?? '', /point-in-time rollback is switched off for source "app"/);
  });

  it('with in-place rollback off, a rollback to an export is refused through the CLI, and side by side still runs', async () => {
    const exported = await startExport(client, { source: 'frozen', destination: `file://${folder}`, requestedBy: 'test' });
    await exported.result();
    await sql(db.url, "update item set label = 'oops'");

    const refused = await runCli(worldCliEnv(world), [
      'rollback', 'start', '--source', 'frozen', '--export', exported.exportId, '--tables', 'item', '--reason', 'INC-3', '--requested-by', 'alice', '--wait',
    ]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stdout, /failed — refused, nothing was changed: FEATURE_DISABLED: in-place rollback is switched off for source "frozen"/);
    assert.equal((await sql(db.url, "select count(*)::int as n from item where label = 'oops'")).rows[0].n, 20);

    const sideBySide = await startRollback(client, { source: 'frozen', target: { exportId: exported.exportId }, tables: ['item'], mode: 'side-by-side', sideBySideSchema: 'inspect_items', requestedBy: 'alice', reason: 'INC-3' });
    assert.equal((await sideBySide.result()).stage, 'done');
    assert.equal((await sql(db.url, "select count(*)::int as n from inspect_items.item where label like 'item %'")).rows[0].n, 20);
  });

  it('doctor shows each source’s flags as the worker enforces them', async () => {
    const doctor = await runCli(worldCliEnv(world), ['doctor', '--to', `file://${folder}/doctor`]);
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.match(doctor.stdout, /\nsource app: in-place rollback on, revert OFF, point-in-time rollback OFF\nsource frozen: in-place rollback OFF, revert on, point-in-time rollback on$/m);
  });
});
