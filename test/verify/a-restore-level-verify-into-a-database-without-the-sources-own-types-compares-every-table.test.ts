import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listRuns } from '../../catalog/verification-repo';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { pagilaDatabase } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { verifyNow, withWorldCatalog } from './verify-support';

/**
 * Regression (closing note of session 2): `verify --level restore` into a scratch database
 * other than the source failed on Pagila, whose tables use its own domain `year` and enum
 * `mpaa_rating`, which that database lacks; masked exports, which may not be restored into
 * their source, hit it. The scratch copy now holds such columns as text: a CSV export still
 * compares every table by fingerprint, a JSON-lines one compares those tables by row count.
 */
describe('a restore-level verify into a database without the source\'s own types compares every table', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let scratch: ScratchDatabase;
  const destination = `gs://restorepoint-verify-types-${process.pid}/p`;

  before(async () => {
    source = await pagilaDatabase('verify_types');
    scratch = await scratchDatabase('verify_types_scratch');
    w = await exportWorld({ pagila: source.url, scratch: scratch.url }, {}, { worker: false });
    w.world.config.verification.scratchTarget = 'scratch';
    await w.world.startWorker();
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    await scratch?.drop();
  });

  const comparedBy = async (exportId: string) => {
    const tables = await withWorldCatalog(w, async (db) => (await listRuns(db, exportId, 1))[0]!.results.tables!);
    return Object.fromEntries(tables.map((t) => [t.table, t.status === 'ok' ? t.compared : t.status]));
  };

  it('a CSV export passes, every table compared by its fingerprint, and the scratch database is left as it was', async () => {
    const unknown = await sql<{ n: number }>(scratch.url, "select count(*)::int as n from pg_type where typname in ('year', 'mpaa_rating')");
    assert.equal(unknown[0]!.n, 0, 'the scratch database lacks Pagila\'s own types');
    await w.exportNow({ exportId: 'pagila-csv', source: 'pagila', destination });
    const report = await verifyNow(w, { exportId: 'pagila-csv', level: 'restore', incremental: false });
    assert.equal(report.status, 'passed', JSON.stringify(report.messages));
    assert.equal(report.restore?.status, 'ok', JSON.stringify(report.restore));
    const compared = await comparedBy('pagila-csv');
    assert.equal(compared['public.film'], 'fingerprint', 'film has a year and an mpaa_rating column');
    assert.deepEqual([...new Set(Object.values(compared))], ['fingerprint']);
    const left = await sql<{ n: number }>(scratch.url, "select count(*)::int as n from pg_namespace where nspname like 'rp_verify_%'");
    assert.equal(left[0]!.n, 0);
  });

  it('a JSON-lines export passes, tables with such columns compared by row count and the others by fingerprint', async () => {
    await w.exportNow({ exportId: 'pagila-jsonl', source: 'pagila', destination, format: 'jsonl' });
    const report = await verifyNow(w, { exportId: 'pagila-jsonl', level: 'restore', incremental: false });
    assert.equal(report.status, 'passed', JSON.stringify(report.messages));
    const compared = await comparedBy('pagila-jsonl');
    assert.equal(compared['public.film'], 'row count');
    assert.equal(compared['public.actor'], 'fingerprint');
  });
});
