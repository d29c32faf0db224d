import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startExport } from '../../client/exports';
import { startRollback } from '../../client/rollbacks';
import { searchAttributes } from '../../core/search-attributes';
import { exportWorkflowId } from '../../core/export-input';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from '../rollback/rollback-world';

/** Visibility is eventually consistent: asks again until `found` holds (or the test's own timeout). */
async function eventually<T>(ask: () => Promise<T>, found: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await ask();
    if (found(value)) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('rollbacks and exports are found by stage, source and tag', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let env: Record<string, string>;
  before(async () => {
    db = await scratchDatabase('findable');
    await sql(db.url, 'create table item (id int primary key, name text); insert into item select g, md5(g::text) from generate_series(1, 200) g');
    rw = await startRollbackWorld(db.url);
    env = worldCliEnv(rw.world);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('`rollback list --stage awaiting-approval --source` names the rollback that waits, and no other', async () => {
    const exportId = await rw.exportApp();
    await sql(db.url, "update item set name = 'oops' where id <= 20");
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['item'], requestedBy: 'alice', reason: 'findable' });
    await waitForStage(rollback, 'awaiting-approval');

    const listed = await eventually(
      async () => JSON.parse((await runCli(env, ['rollback', 'list', '--stage', 'awaiting-approval', '--source', 'app', '--json'])).stdout) as { rollbackId: string; stage: string; requestedBy: string; targetExportId: string }[],
      (rows) => rows.length > 0,
    );
    assert.deepEqual(listed.map((r) => [r.rollbackId, r.stage, r.requestedBy, r.targetExportId]), [[rollback.rollbackId, 'awaiting-approval', 'alice', exportId]]);
    const elsewhere = await runCli(env, ['rollback', 'list', '--stage', 'awaiting-approval', '--source', 'other', '--json']);
    assert.deepEqual(JSON.parse(elsewhere.stdout), []);
    const badStage = await runCli(env, ['rollback', 'list', '--stage', "x' OR '1'='1"]);
    assert.equal(badStage.code, 2);

    await rollback.decide('reject', 'bob', 'found it');
    assert.equal((await rollback.result()).stage, 'rejected');
    const rejected = await eventually(
      async () => JSON.parse((await runCli(env, ['rollback', 'list', '--stage', 'rejected', '--json'])).stdout) as { rollbackId: string }[],
      (rows) => rows.length > 0,
    );
    assert.deepEqual(rejected.map((r) => r.rollbackId), [rollback.rollbackId]);
  });

  it('`exports list --source --tag key=value` keeps only the tagged exports; the tags are search attributes too', async () => {
    const tagged = await startExport(rw.client, { source: 'app', destination: `file://${rw.folder}`, tags: { environment: 'prod', purpose: 'audit' }, requestedBy: 'test' });
    await tagged.result();
    const plain = await rw.exportApp();
    const run = await runCli(env, ['exports', 'list', '--source', 'app', '--tag', 'environment=prod', '--tag', 'purpose=audit', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { id: string }[]).map((e) => e.id), [tagged.exportId]);
    assert.ok(plain);
    assert.equal((await runCli(env, ['exports', 'list', '--tag', 'environment'])).code, 2);

    const description = await rw.client.temporal.workflow.getHandle(exportWorkflowId(tagged.exportId)).describe();
    assert.deepEqual(description.typedSearchAttributes.get(searchAttributes.tags)?.sort(), ['environment=prod', 'purpose=audit']);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.source), 'app');
  });
});
