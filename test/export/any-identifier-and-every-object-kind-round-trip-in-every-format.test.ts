import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { manifestSchema, type Manifest } from '../../core/manifest';
import { exactTablePattern } from '../../core/table-patterns';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { verifyNow } from '../verify/verify-support';
import { AWKWARD_DATABASE, AWKWARD_SCHEMAS, LINES, LONG_SCHEMA, LONG_TABLE, SALES, WEIRD_SCHEMA, WEIRD_TABLE } from './awkward-database';
import { isRestorepointError } from '../../core/errors';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from './harness';

/** A refusal's code: the client's own check throws it directly, the workflow's arrives wrapped. */
function refusalOf(error: unknown): { type: string; message: string } {
  return isRestorepointError(error) ? { type: error.code, message: error.message } : failureOf(error);
}

/**
 * Every name a user can give (capitals, spaces, dots, quotes, `*`, unicode, reserved words,
 * 63 bytes) and every kind of object beyond plain tables survive export in each format and a
 * restore into an empty database: equal by table fingerprint, sequences included.
 */
describe('any identifier and every object kind round-trip in every format', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const targets: ScratchDatabase[] = [];
  const destination = `gs://restorepoint-awkward-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('awkward');
    await sql(source.url, ...AWKWARD_DATABASE);
    w = await exportWorld({ src: source.url });
  });
  after(async () => {
    await w?.close();
    for (const db of [source, ...targets]) await db?.drop();
  });

  async function freshTarget(): Promise<string> {
    const db = await scratchDatabase('awkward_dst');
    targets.push(db);
    const name = `local:${db.name}`;
    return name;
  }

  async function manifestOf(exportId: string): Promise<Manifest> {
    return manifestSchema.parse(JSON.parse((await w.store(destination).getBytes(`${exportId}/manifest.json`)).toString('utf8')));
  }

  /** The tables' fingerprints, the materialized views' rows and whether each is populated. */
  async function contents(url: string, schemas = AWKWARD_SCHEMAS, leaveOut: readonly string[] = []) {
    const tables = Object.fromEntries(Object.entries(await databaseFingerprint(url, schemas)).filter(([k]) => !leaveOut.includes(k)));
    const views = await sql<{ name: string; populated: boolean }>(url, `select relname as name, relispopulated as populated from pg_class where relkind = 'm' order by 1`);
    const totals = await sql(url, `select lines::text, total::text from "${SALES}"."Order Totals"`);
    return { tables, views, totals };
  }

  for (const format of ['csv', 'jsonl'] as const) {
    it(`${format}: the whole database by default, restored equal into an empty database`, async () => {
      const exportId = `awkward-whole-${format}`;
      await w.exportNow({ exportId, source: 'src', destination, format });
      const manifest = await manifestOf(exportId);
      assert.deepEqual(manifest.scope, { partial: false, schemas: [...AWKWARD_SCHEMAS].sort(), tables: [], exclude: [] });
      assert.deepEqual(
        manifest.tables.map((t) => `${t.schema}.${t.name}`).sort(),
        [`${LONG_SCHEMA}.${LONG_TABLE}`, `${SALES}.${LINES}`, `${WEIRD_SCHEMA}.${WEIRD_TABLE}`, 'public.Order.Lines', 'public.nocols', 'public.scratchpad', 'select.from'].sort(),
      );
      const target = await freshTarget();
      const restored = await w.restoreNow({ exportId, target });
      assert.equal(restored.mode, 'empty-database');
      const url = targets[targets.length - 1]!.url;
      assert.deepEqual(await contents(url), await contents(source.url));
      // The 63-byte sequence kept its value; constraints and indexes came back under their names.
      assert.deepEqual(await sql(url, `select count(*)::int as n from pg_constraint where conname in ('Positive Quantity!', 'fk.to "lines"', 'K_${'ü'.repeat(30)}k')`), [{ n: 3 }]);
      assert.deepEqual(await sql(url, `select count(*)::int as n from pg_class where relname in ('Idx.On "Lines"', 'I_${'ä'.repeat(30)}i')`), [{ n: 2 }]);
      assert.deepEqual(await sql(url, `select relpersistence from pg_class where relname = 'scratchpad'`), [{ relpersistence: 'u' }]);
    });
  }

  it('csv: every verification level passes, the two "Order.Lines" tables compared apart in one scratch schema', async () => {
    for (const level of ['checksums', 'decode', 'restore'] as const) {
      const report = await verifyNow(w, { exportId: 'awkward-whole-csv', level, incremental: false });
      assert.equal(report.status, 'passed', `${level}: ${JSON.stringify(report.messages)}`);
    }
  });

  it('parquet: the table without columns is refused by name before anything starts; without it the rest round-trips', async () => {
    const refused = refusalOf(await rejectionOf(w.exportNow({ exportId: 'awkward-parquet-whole', source: 'src', destination, format: 'parquet' })));
    assert.equal(refused.type, 'EXPORT_UNSUPPORTED');
    assert.match(refused.message, /"public"\."nocols" has no stored columns/);
    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      assert.deepEqual(await catalog('exports').where({ id: 'awkward-parquet-whole' }), [], 'nothing in the catalog');
    } finally {
      await catalog.destroy();
    }

    const exportId = 'awkward-parquet';
    await w.exportNow({ exportId, source: 'src', destination, format: 'parquet', exclude: ['public.nocols'] });
    assert.equal((await manifestOf(exportId)).scope?.partial, true);
    const target = await freshTarget();
    await w.restoreNow({ exportId, target });
    const url = targets[targets.length - 1]!.url;
    const without = ['table public.nocols'];
    assert.deepEqual(await contents(url, AWKWARD_SCHEMAS, without), await contents(source.url, AWKWARD_SCHEMAS, without));
  });

  it('regression "Sales Data" lost its DDL: the schema alone restores into an empty database, its contrib types with it', async () => {
    const exportId = 'awkward-sales-data';
    await w.exportNow({ exportId, source: 'src', destination, schemas: [SALES] });
    const manifest = await manifestOf(exportId);
    assert.equal(manifest.scope?.partial, true);
    assert.deepEqual(manifest.tables.map((t) => t.name), [LINES]);
    const target = await freshTarget();
    const restored = await w.restoreNow({ exportId, target });
    assert.equal(restored.mode, 'empty-database');
    const url = targets[targets.length - 1]!.url;
    assert.deepEqual(await databaseFingerprint(url, [SALES]), await databaseFingerprint(source.url, [SALES]));
  });

  it('table patterns are exact: a quoted name with a dot, a quote and a * is that table; names are case-sensitive', async () => {
    const exportId = 'awkward-one-table';
    await w.exportNow({ exportId, source: 'src', destination, tables: [exactTablePattern({ schema: WEIRD_SCHEMA, name: WEIRD_TABLE })] });
    assert.deepEqual((await manifestOf(exportId)).tables.map((t) => [t.schema, t.name]), [[WEIRD_SCHEMA, WEIRD_TABLE]]);
    const folded = refusalOf(await rejectionOf(w.exportNow({ exportId: 'awkward-folded', source: 'src', destination, tables: ['sales data.*'] })));
    assert.equal(folded.type, 'TABLE_NOT_FOUND');
  });
});
