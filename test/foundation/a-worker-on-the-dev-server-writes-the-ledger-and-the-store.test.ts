import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { openStore } from '../../storage/open-store';
import { testStack } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';

/**
 * The foundation, end to end on the real parts: the Temporal CLI's dev server, a worker
 * with the real activities, the catalog on the stack's PostgreSQL, fake-gcs-server behind
 * @google-cloud/storage — driven through the CLI an operator uses.
 */
let world: TestWorld;
before(async () => {
  world = await startTestWorld({});
  await world.startWorker();
});
after(() => world.close());

const bucketUrl = `gs://restorepoint-foundation-${process.pid}/doctor`;

function cli(...args: string[]): Promise<CliResult> {
  return runCli(worldCliEnv(world), args);
}

test('`doctor` runs a workflow whose activities write the ledger and put, get and delete a GCS object', async () => {
  const { code, stdout, stderr } = await cli('doctor', '--to', bucketUrl, '--requested-by', 'ci@restorepoint', '--json');
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as { ok: boolean; ledgerSeqs: number[]; storage: { key: string; bytes: number } };
  assert.equal(result.ok, true);
  assert.ok(result.storage.bytes > 0);

  const catalog = openCatalog(world.config.catalog.url);
  try {
    const entries = await listLedger(catalog, { subject: `${bucketUrl}` });
    assert.deepEqual(entries.map((e) => [e.action, e.actor, e.outcome]), [
      ['health.started', 'ci@restorepoint', 'ok'],
      ['health.finished', 'ci@restorepoint', 'ok'],
    ]);
  } finally {
    await catalog.destroy();
  }
  // The probe cleans up after itself: nothing is left in the bucket.
  const store = openStore(bucketUrl, { emulatorHost: testStack().gcs.url, projectId: world.config.gcs.projectId });
  assert.equal(await store.stat(result.storage.key), undefined);
});

test('`ledger verify` passes, then names the row edited behind the trigger’s back', async () => {
  const intact = await cli('ledger', 'verify', '--json');
  assert.equal(intact.code, 0, intact.stderr);

  const catalog = openCatalog(world.config.catalog.url);
  try {
    // A superuser can switch the append-only guard off; the hash chain still tells.
    await catalog.transaction(async (trx) => {
      await trx.raw('alter table ledger disable trigger all');
      await trx.raw(`update ledger set outcome = 'failed' where seq = 1`);
      await trx.raw('alter table ledger enable trigger all');
    });
  } finally {
    await catalog.destroy();
  }
  const broken = await cli('ledger', 'verify', '--json');
  assert.equal(broken.code, 1);
  const report = JSON.parse(broken.stdout) as { ok: boolean; firstBroken: { seq: number; reason: string } };
  assert.equal(report.ok, false);
  assert.deepEqual([report.firstBroken.seq, report.firstBroken.reason], [1, 'hash mismatch']);
});
