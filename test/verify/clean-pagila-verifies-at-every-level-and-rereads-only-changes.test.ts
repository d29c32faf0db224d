import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getExport } from '../../catalog/exports-repo';
import { listLedger } from '../../catalog/ledger';
import { listRuns } from '../../catalog/verification-repo';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { cli, partKeys, verifyNow, withWorldCatalog } from './verify-support';

/**
 * A clean Pagila export passes at every level (the restore level restores it into a
 * scratch schema of the source and compares every table), a second checksums run reads
 * only the manifest and what changed, and the catalog and ledger hold every run.
 */
describe('a clean Pagila export verifies at every level, and a re-verify reads only what changed', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const destination = `gs://restorepoint-verify-pagila-${process.pid}/p`;
  const exportId = 'pagila-verified';

  before(async () => {
    source = await pagilaDatabase();
    w = await exportWorld({ pagila: source.url });
    await w.exportNow({ exportId, source: 'pagila', destination });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
  });

  it('passes checksums, decode and restore; the restore compares every table and leaves no scratch schema', async () => {
    for (const level of ['checksums', 'decode', 'restore'] as const) {
      const report = await verifyNow(w, { exportId, level, incremental: false });
      assert.equal(report.status, 'passed', `${level}: ${JSON.stringify(report.messages)}`);
      assert.equal(report.counts.failed, 0);
      assert.equal(report.counts.unchanged, 0);
      if (level === 'restore') {
        assert.equal(report.restore?.status, 'ok', JSON.stringify(report.restore));
        const tables = (await withWorldCatalog(w, (db) => getExport(db, exportId)))!.tablesCount!;
        assert.equal(report.counts.tables, tables);
        // Every table is compared by the fingerprint recorded at export time, not only its row count.
        const compared = await withWorldCatalog(w, async (db) => (await listRuns(db, exportId, 1))[0]!.results.tables!);
        assert.deepEqual([...new Set(compared.map((t) => (t.status === 'ok' ? t.compared : t.status)))], ['fingerprint']);
      }
    }
    const left = await sql<{ n: string }>(source.url, `select count(*)::text as n from pg_namespace where nspname like 'rp_verify_%'`);
    assert.equal(left[0]!.n, '0');

    await withWorldCatalog(w, async (db) => {
      const record = await getExport(db, exportId);
      assert.equal(record!.verificationStatus, 'verified');
      assert.ok(record!.verifiedAt);
      const runs = await listRuns(db, exportId);
      assert.deepEqual(runs.map((r) => `${r.level}:${r.status}`).sort(), ['checksums:passed', 'decode:passed', 'restore:passed']);
      const finished = (await listLedger(db, { subject: exportId })).filter((e) => e.action === 'verification.finished');
      assert.deepEqual(finished.map((e) => `${(e.details as { level: string }).level}:${e.outcome}`), ['checksums:passed', 'decode:passed', 'restore:passed']);
    });
  });

  it('a second checksums run skips every unchanged verified object and reads a rewritten one again', async () => {
    const first = await verifyNow(w, { exportId, level: 'checksums' });
    assert.equal(first.status, 'passed');
    // Only the manifest is read: every other object was verified (at decode or deeper) and is unchanged.
    assert.equal(first.counts.read, 1, JSON.stringify(first.counts));
    assert.equal(first.counts.unchanged, first.counts.objects - 1);

    // The same bytes written again are a new generation: read again, and found sound.
    const store = w.store(destination);
    const rewritten = (await partKeys(store, exportId, 'rental'))[0]!;
    await store.putBytes(rewritten, await store.getBytes(rewritten));
    const second = await verifyNow(w, { exportId, level: 'checksums' });
    assert.equal(second.status, 'passed');
    assert.equal(second.counts.read, 2, JSON.stringify(second.counts));

    // Since its rewrite the part is proved at checksums only: a decode run reads it (and the manifest) again.
    const decode = await verifyNow(w, { exportId, level: 'decode' });
    assert.equal(decode.status, 'passed');
    assert.equal(decode.counts.read, 2, JSON.stringify(decode.counts));
  });

  it('the CLI prints the report and exits 0 when sound, 2 on a bad level; `verifications` lists the runs', async () => {
    const ok = await cli(w, 'verify', exportId, '--level', 'checksums', '--full', '--json');
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { ok: boolean; status: string; counts: { unchanged: number } };
    assert.equal(report.ok, true);
    assert.equal(report.counts.unchanged, 0);

    const bad = await cli(w, 'verify', exportId, '--level', 'thorough');
    assert.equal(bad.code, 2, bad.stderr);

    const list = await cli(w, 'verifications', exportId, '--json');
    assert.equal(list.code, 0, list.stderr);
    const runs = (JSON.parse(list.stdout) as { runs: unknown[] }).runs;
    assert.ok(runs.length >= 6, `${runs.length} runs`);
  });
});
