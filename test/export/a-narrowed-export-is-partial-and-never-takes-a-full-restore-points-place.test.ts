import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listChainLinks } from '../../catalog/chain-repo';
import { readRetentionRun, runRetention } from '../../client/retention';
import { manifestSchema } from '../../core/manifest';
import { baseShortfall } from '../../core/restore-points';
import { retentionWorld, type RetentionWorld } from '../retention-workflow/world';
import { sql } from './harness';

/**
 * Issue 11: "export with no scope flags exports only the public schema, reports success, and the
 * catalog records it as a full restore point; a database with an app schema loses that schema
 * silently". Now the default is the whole database, and a narrowed export (--schemas) is partial
 * in the manifest and the catalog: never a chain base for every table, never a keep-last slot.
 */
describe('a narrowed export is partial and never takes a full restore point’s place', () => {
  let w: RetentionWorld;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-scope-partial-'));
  const destination = `file://${folder}`;
  const ids: Record<string, string> = {};

  before(async () => {
    w = await retentionWorld();
    const source = w.exports.world.config.sources.shop!;
    await sql(source.url, 'create schema app', 'create table app.invoices (id int primary key, total numeric)', 'insert into app.invoices values (1, 9.5), (2, 10)');
    ids.whole = (await w.exports.exportNow({ source: 'shop', destination })).exportId;
    await w.age(ids.whole, 4);
    ids.appOnly = (await w.exports.exportNow({ source: 'shop', destination, schemas: ['app'] })).exportId;
    await w.age(ids.appOnly, 3);
    ids.publicOnly = (await w.exports.exportNow({ source: 'shop', destination, schemas: ['public'] })).exportId;
    await w.age(ids.publicOnly, 2);
  });
  after(async () => {
    await w?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('regression "the app schema was lost silently": no scope flags export every schema, recorded whole', async () => {
    const manifest = manifestSchema.parse(JSON.parse((await w.exports.store(destination).getBytes(`${ids.whole}/manifest.json`)).toString('utf8')));
    assert.deepEqual(manifest.tables.map((t) => `${t.schema}.${t.name}`).sort(), ['app.invoices', 'public.orders']);
    assert.deepEqual(manifest.scope, { partial: false, schemas: ['app', 'public'], tables: [], exclude: [] });
    const rows = (await w.catalog('exports').whereIn('id', Object.values(ids)).select('id', 'partial')) as { id: string; partial: boolean }[];
    const partial = Object.fromEntries(rows.map((r) => [r.id, r.partial]));
    assert.deepEqual({ whole: partial[ids.whole!], appOnly: partial[ids.appOnly!], publicOnly: partial[ids.publicOnly!] }, { whole: false, appOnly: true, publicOnly: true });
  });

  it('only the whole export can start a chain that holds every table', async () => {
    const links = await listChainLinks(w.catalog, { source: 'shop' });
    const shortfalls = Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, baseShortfall(links.find((l) => l.exportId === id)!, []) === null]));
    assert.deepEqual(shortfalls, { whole: true, appOnly: false, publicOnly: false });
  });

  it('keep-last counts only the whole export: the two newer narrowed ones never push it out', async () => {
    const summary = await runRetention(w.exports.client, { policy: { keepLast: 1, minAgeDays: 1 }, dryRun: true, requestedBy: 'scope-test' });
    const { plan } = await readRetentionRun(w.catalog, summary.planId);
    const decided = Object.fromEntries(Object.entries(ids).map(([name, id]) => {
      const p = plan.exports.find((e) => e.exportId === id)!;
      return [name, `${p.action.kind} ${p.rule.code}`];
    }));
    assert.deepEqual(decided, { whole: 'keep keep-last', appOnly: 'delete partial-expired', publicOnly: 'delete partial-expired' });
  });
});
