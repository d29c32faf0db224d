import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withCatalog } from '../../catalog/catalog-db';
import { startExport } from '../../client/exports';
import { startReconstruct } from '../../client/point-in-time';
import { resolveRestorePoint } from '../../activities/point-in-time';
import type { ChainLink } from '../../core/restore-points';
import { databaseFingerprint } from '../support/pagila';
import { failureCode } from '../incremental/failure-code';
import { inTransactionAs } from '../trail/tracked-pagila';
import { chainWorld, databaseNow, pause, tableFingerprint, type ChainWorld } from './chain-world';

/**
 * Regression (issues 4 and 6): every full export records a trail position, partial ones too
 * (`export --tables film,actor`, a rollback's safety snapshot), and the newest one was taken as
 * the base of a point in time and as the start of an incremental's chain. Reconstructing a
 * table it lacks then failed with TABLE_NOT_FOUND, and a chain could silently lack tables.
 */
describe('a partial export or a rollback safety snapshot never silently starts a restore chain', () => {
  let w: ChainWorld;
  let full: ChainLink;
  let partial: ChainLink;
  let safety: ChainLink;
  let at: string;
  let atT: Record<string, string>;
  const resolve = (tables: string[]) => withCatalog(w.world.config.catalog.url, (db) => resolveRestorePoint(db, 'pagila', at, tables));
  const incremental = (extra: Record<string, unknown> = {}) =>
    startExport(w.client, { source: 'pagila', destination: w.destination, requestedBy: 'test', mode: 'incremental', ...extra }).then((h) => h.result());

  before(async () => {
    w = await chainWorld(1);
    const sql = w.source.client;
    full = await w.exportNow('full');
    await inTransactionAs(sql, 'alice@app', [`update customer set first_name = 'EARLY' where customer_id <= 5`, `update film set rental_rate = 0.5 where film_id <= 5`]);
    partial = await w.exportNow('full', { tables: ['film', 'actor'] });
    // What a rollback's safety snapshot is: an export of its scope, marked for undo.
    safety = await w.exportNow('full', { tables: ['customer'], role: 'safety-snapshot' });
    await inTransactionAs(sql, 'bob@app', [`update customer set last_name = 'LATER' where customer_id between 6 and 9`, `delete from film_actor where film_id = 7`]);
    await pause(20);
    at = await databaseNow(sql);
    atT = await tableFingerprint(w.source.db.url);
    await pause(20);
    await inTransactionAs(sql, 'carol@app', [`update customer set email = null where customer_id = 1`]);
  });
  after(async () => {
    await w?.close();
  });

  it('records what each full export holds and is for', () => {
    assert.deepEqual([full.role, full.partial, full.tables?.includes('public.customer')], ['backup', false, true]);
    assert.deepEqual([partial.role, partial.partial, partial.tables], ['backup', true, ['public.actor', 'public.film']]);
    assert.deepEqual([safety.role, safety.partial, safety.tables], ['safety-snapshot', true, ['public.customer']]);
  });

  it('resolves a time to the older full export for tables the newer partial export lacks, and to the partial one when it holds them', async () => {
    assert.equal((await resolve(['customer', 'film'])).base.exportId, full.exportId);
    assert.equal((await resolve([])).base.exportId, full.exportId);
    assert.equal((await resolve(['film', 'actor'])).base.exportId, partial.exportId);
    // The safety snapshot holds customer, but is only ever an undo.
    assert.equal((await resolve(['customer'])).base.exportId, full.exportId);
  });

  it('refuses, naming the table, when no export at or before the time holds it', async () => {
    await assert.rejects(resolve(['no_such_table']), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NO_RESTORE_POINT');
      assert.match(error.message, /holds no_such_table: .*safety snapshot.*; .*holds only public\.actor, public\.film, not no_such_table/);
      return true;
    });
  });

  it('reconstructs customer and actor at that time from the full export (was TABLE_NOT_FOUND from the newer partial base)', async () => {
    const started = await startReconstruct(w.client, { source: 'pagila', at, target: 'target-0', targetSchema: 'as_of_t', tables: ['public.customer', 'public.actor'], requestedBy: 'test' });
    const summary = await started.result();
    assert.equal(summary.baseExportId, full.exportId);
    const copy = await databaseFingerprint(w.targets[0]!.url, ['as_of_t']);
    for (const table of ['customer', 'actor']) assert.equal(copy[`table as_of_t.${table}`], atT[`table public.${table}`], table);
  });

  it('an incremental export follows the full export\'s chain, not the newer partial export or safety snapshot', async () => {
    const delta = await w.exportNow('incremental');
    assert.deepEqual([delta.parentExportId, delta.baseExportId], [full.exportId, full.exportId]);
  });

  it('a partial export named as parent is refused unless the export names only the tables it holds', async () => {
    assert.match(await failureCode(incremental({ parentExportId: partial.exportId })), /^CHAIN_BROKEN: .*holds only public\.actor, public\.film, not .*public\.customer/);
    assert.match(await failureCode(incremental({ parentExportId: safety.exportId, tables: ['customer'] })), /^CHAIN_BROKEN: .*safety snapshot/);
    const onPartial = await w.exportNow('incremental', { parentExportId: partial.exportId, tables: ['film', 'actor'] });
    assert.equal(onPartial.baseExportId, partial.exportId);
    // The delta on the partial export is now the newest link: a plain incremental still continues the full chain.
    const next = await w.exportNow('incremental');
    assert.equal(next.baseExportId, full.exportId);
    assert.notEqual(next.parentExportId, onPartial.exportId);
  });
});
