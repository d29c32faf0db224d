import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getExport } from '../../catalog/exports-repo';
import { listLedger, verifyLedger } from '../../catalog/ledger';
import { configSchema } from '../../config/schema';
import { exportInputSchema } from '../../core/export-input';
import { createExportLifecycleActivities } from '../../activities/export/export-lifecycle';
import { createVerificationLifecycleActivities } from '../../activities/verify/run-lifecycle';
import { verifyExportInputSchema } from '../../core/verification/verification-input';
import { openStore } from '../../storage/open-store';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { refuseLedgerEntries } from './ledger-refusal';

/**
 * Short steps (an export's begin, finish and fail; a verification's begin) decide from the
 * catalog whether their ledger entry is still to be written. A step killed between the two
 * writes runs again; had the catalog change been committed alone, the re-run would skip the
 * entry for good. Here the ledger's insert is made to fail (as a worker dying at that moment
 * would leave it): the step changes nothing, and its re-run writes the change and the entry once.
 */
describe("a step's catalog change and its ledger entry commit together", () => {
  let catalog: FreshCatalog;
  let steps: ReturnType<typeof createExportLifecycleActivities>;
  let verification: ReturnType<typeof createVerificationLifecycleActivities>;
  let dyingAtTheLedger: Awaited<ReturnType<typeof refuseLedgerEntries>>;

  before(async () => {
    catalog = await freshCatalog();
    const config = configSchema.parse({ catalog: { url: catalog.url }, temporal: {}, gcs: {}, worker: {}, export: {} });
    const deps = { config, catalog: catalog.db, openStore: (d: string) => openStore(d, config.gcs), clock: () => new Date() };
    steps = createExportLifecycleActivities(deps);
    verification = createVerificationLifecycleActivities(deps);
    dyingAtTheLedger = await refuseLedgerEntries(catalog.db);
  });
  after(() => catalog?.close());

  const actions = async (exportId: string) => (await listLedger(catalog.db, { subject: exportId })).map((e) => e.action);
  const input = (exportId: string) => exportInputSchema.parse({ exportId, source: 'shop', destination: 'file:///tmp/restorepoint-lifecycle', requestedBy: 'alice' });
  const result = (exportId: string) => ({ exportId, actor: 'alice', manifestKey: `${exportId}/manifest.json`, manifestSha256: 'a'.repeat(64), tables: 1, rows: 10, bytes: 100, parts: 1, txidSnapshot: '1:1:' });

  it('begin: a dead first attempt leaves no export row; the re-run records requested and started once', async () => {
    await dyingAtTheLedger(() => steps.beginExport(input('exp-begin')));
    assert.equal(await getExport(catalog.db, 'exp-begin'), undefined);
    assert.deepEqual(await actions('exp-begin'), []);

    await steps.beginExport(input('exp-begin'));
    await steps.beginExport(input('exp-begin'));
    assert.equal((await getExport(catalog.db, 'exp-begin'))?.status, 'running');
    assert.deepEqual(await actions('exp-begin'), ['export.requested', 'export.started']);
  });

  it('finish: a dead first attempt leaves the export running; the re-run marks it succeeded with one export.finished', async () => {
    await steps.beginExport(input('exp-finish'));
    await dyingAtTheLedger(() => steps.finishExport(result('exp-finish')));
    const stillRunning = await getExport(catalog.db, 'exp-finish');
    assert.equal(stillRunning?.status, 'running');
    assert.equal(stillRunning?.manifestKey, null);

    await steps.finishExport(result('exp-finish'));
    await steps.finishExport(result('exp-finish'));
    assert.equal((await getExport(catalog.db, 'exp-finish'))?.status, 'succeeded');
    assert.deepEqual(await actions('exp-finish'), ['export.requested', 'export.started', 'export.finished']);
  });

  it('fail: a dead first attempt leaves the export running; the re-run marks it failed with one export.failed', async () => {
    await steps.beginExport(input('exp-fail'));
    const failure = { exportId: 'exp-fail', actor: 'alice', message: 'the source went away' };
    await dyingAtTheLedger(() => steps.failExport(failure));
    assert.equal((await getExport(catalog.db, 'exp-fail'))?.status, 'running');

    await steps.failExport(failure);
    await steps.failExport(failure);
    assert.equal((await getExport(catalog.db, 'exp-fail'))?.status, 'failed');
    assert.deepEqual(await actions('exp-fail'), ['export.requested', 'export.started', 'export.failed']);
    const chain = await verifyLedger(catalog.db);
    assert.equal(chain.ok, true);
  });

  it('verification begin: a dead first attempt records no run; the re-run records it with one verification.started', async () => {
    await steps.beginExport(input('exp-verified'));
    await steps.finishExport(result('exp-verified'));
    const run = verifyExportInputSchema.parse({ runId: 'run-1', exportId: 'exp-verified', level: 'checksums', requestedBy: 'alice' });
    await dyingAtTheLedger(() => verification.beginVerification(run));
    assert.deepEqual(await catalog.db('verification_runs').where({ id: 'run-1' }).select('id'), []);

    await verification.beginVerification(run);
    await verification.beginVerification(run);
    assert.deepEqual((await catalog.db('verification_runs').where({ id: 'run-1' }).select('status')).map((r: { status: string }) => r.status), ['running']);
    assert.deepEqual(await actions('exp-verified'), ['export.requested', 'export.started', 'export.finished', 'verification.started']);
  });
});
