import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { withCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { startExport } from '../../client/exports';
import { sealTrail, trackTables, untrackTables } from '../../trail';
import { chainWorld, type ChainWorld } from '../point-in-time/chain-world';
import { inTransactionAs } from '../trail/tracked-pagila';
import { failureCode } from './failure-code';

describe('an incremental export refuses a chain it cannot prove whole', () => {
  let w: ChainWorld;
  const incremental = (extra: Record<string, unknown> = {}) =>
    startExport(w.client, { source: 'pagila', destination: w.destination, requestedBy: 'test', mode: 'incremental', ...extra }).then((h) => h.result());

  before(async () => {
    w = await chainWorld(0);
  });
  after(async () => {
    await w?.close();
  });

  it('without a full export to start from', async () => {
    assert.match(await failureCode(incremental()), /^CHAIN_BROKEN: .*take a full export first/);
  });

  it('records inserts, updates and deletes, and names its parent, base and trail range', async () => {
    const full = await w.exportNow('full');
    const actors = Number((await w.source.client.query<{ n: string }>('select count(*) as n from film_actor where film_id = 3')).rows[0]!.n);
    await inTransactionAs(w.source.client, 'alice@app', [
      `insert into category (name) values ('New')`,
      `update film set title = 'X' where film_id = 3`,
      `delete from film_actor where film_id = 3`,
    ]);
    const delta = await w.exportNow('incremental');
    assert.equal(delta.parentExportId, full.exportId);
    assert.equal(delta.baseExportId, full.exportId);
    assert.deepEqual(delta.trailFrom, full.trailTo);
    const manifest = JSON.parse(fs.readFileSync(`${w.destination.slice('file://'.length)}/${delta.exportId}/manifest.json`, 'utf8')) as {
      parentExportId: string;
      baseExportId: string;
      tables: { name: string; changes: Record<string, number> }[];
    };
    assert.equal(manifest.parentExportId, full.exportId);
    const changes = Object.fromEntries(manifest.tables.map((t) => [t.name, t.changes]));
    assert.equal(changes.category!.insert, 1);
    assert.equal(changes.film!.update, 1);
    assert.equal(changes.film_actor!.delete, actors);
  });

  it('when the parent manifest was altered in storage', async () => {
    const parent = (await w.links()).at(-1)!;
    const file = `${w.destination.slice('file://'.length)}/${parent.exportId}/manifest.json`;
    const original = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.concat([original, Buffer.from(' ')]));
    try {
      assert.match(await failureCode(incremental()), /^CHAIN_BROKEN: .*does not match the catalog/);
    } finally {
      fs.writeFileSync(file, original);
    }
    const failed = await withCatalog(w.world.config.catalog.url, (db) => listLedger(db, { action: 'export.failed', limit: 100 }));
    assert.ok(failed.length >= 2, 'each refusal is in the ledger');
  });

  it('when a parent it names does not exist (refused by the client before anything starts)', async () => {
    assert.match(await failureCode(incremental({ parentExportId: 'no-such-export' })), /^EXPORT_NOT_FOUND: no export "no-such-export" in the catalog \(the parent of an incremental export\); nothing was started/);
  });

  it('when a table of the base is no longer tracked', async () => {
    await untrackTables(w.source.client, ['public.language']);
    try {
      assert.match(await failureCode(incremental()), /^NOT_TRACKED: .*public\.language/);
    } finally {
      await trackTables(w.source.client, ['public.language']);
    }
  });

  it('when the trail does not verify across the range', async () => {
    await inTransactionAs(w.source.client, null, [`update language set name = 'Klingon' where language_id = 1`]);
    await w.exportNow('incremental');
    await inTransactionAs(w.source.client, null, [`update language set name = 'Vulcan' where language_id = 2`]);
    const sql = w.source.client;
    await sealTrail(sql);
    await sql.query('alter table restorepoint_trail.change disable trigger append_only');
    await sql.query(`update restorepoint_trail.change set new_row = jsonb_set(new_row, '{name}', '"Romulan"') where table_name = 'language' and key ->> 'language_id' = '2'`);
    await sql.query('alter table restorepoint_trail.change enable always trigger append_only');
    assert.match(await failureCode(incremental()), /^CHAIN_BROKEN: the trail does not verify at position \d+: hash mismatch/);
  });
});
