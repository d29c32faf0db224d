import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openCatalog } from '../../catalog/catalog-db';
import { startRestore } from '../../client/restores';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRestoreActivity } from '../../activities/restore/restore-export';
import { claimTargetTables, refuseForbiddenTarget } from '../../activities/restore/target-guard';
import { openStore } from '../../storage/open-store';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { withDatabase } from '../../stack/urls';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';

const ROWS = 5000;

/**
 * Incident (issue 18): two restores into the same existing empty table both succeeded and
 * every row was there twice; a restore into the catalog database or template1 was accepted,
 * and one into the live source was refused only when its tables happened to hold rows.
 */
describe('a restore claims its tables and never writes into the catalog, a template or the live source', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let template: ScratchDatabase;
  const destination = `gs://restorepoint-claims-${process.pid}/c`;
  const exportId = 'claims-1';

  before(async () => {
    source = await scratchDatabase('claims_src');
    target = await scratchDatabase('claims_dst');
    template = await scratchDatabase('claims_tpl');
    await sql(source.url, 'create table item (id int primary key, v text)', `insert into item select g, md5(g::text) from generate_series(1, ${ROWS}) g`);
    await sql(testStack().postgres.adminUrl, `alter database ${pg.escapeIdentifier(template.name)} is_template true`);
    w = await exportWorld({ src: source.url, dst: target.url, tpl: template.url });
    await w.exportNow({ exportId, source: 'src', destination });
  });

  after(async () => {
    await w?.close();
    await sql(testStack().postgres.adminUrl, `alter database ${pg.escapeIdentifier(template.name)} is_template false`).catch(() => undefined);
    for (const db of [source, target, template]) await db?.drop();
  });

  it('of two restores into one existing empty table, the second is refused with TARGET_BUSY naming the first, and no row is doubled', async () => {
    await sql(target.url, 'create table item (id int, v text)');
    // A session holding the table makes the first restore wait inside its transaction, after its claim.
    const blocker = new pg.Client({ connectionString: target.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table item in access exclusive mode');
      const first = await startRestore(w.client, { exportId, target: 'dst', restoreId: 'claims-first', requestedBy: 'test' });
      const catalog = openCatalog(w.world.config.catalog.url);
      try {
        for (let claimed = false; !claimed; ) {
          claimed = (await catalog('restore_claims').where({ restore_id: 'claims-first' }).whereNull('released_at')).length > 0;
          if (!claimed) await new Promise((r) => setTimeout(r, 100));
        }
        const second = await startRestore(w.client, { exportId, target: 'dst', restoreId: 'claims-second', requestedBy: 'test' });
        const refused = failureOf(await rejectionOf(second.result()));
        assert.equal(refused.type, 'TARGET_BUSY');
        assert.match(refused.message, /public\.item by restore claims-first/);
        await blocker.query('rollback');
        const summary = await first.result();
        assert.equal(summary.rows, ROWS);
        const released = await catalog('restore_claims').where({ restore_id: 'claims-first' }).first();
        assert.ok(released?.released_at, 'the claim was not released');
      } finally {
        await catalog.destroy();
      }
    } finally {
      await blocker.end();
    }
    const counted = await sql<{ n: string; d: string }>(target.url, 'select count(*)::text as n, count(distinct id)::text as d from item');
    assert.deepEqual(counted[0], { n: String(ROWS), d: String(ROWS) });
    // Once the first has committed, another restore finds rows and is refused as before.
    const third = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
    assert.equal(third.type, 'TARGET_NOT_EMPTY');
  });

  it('a retry of a restore that committed but died before reporting finds its own rows: same summary, not TARGET_NOT_EMPTY', async () => {
    const db = await scratchDatabase('claims_retry');
    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      const restoreExport = createRestoreActivity({ config: w.world.config, catalog, openStore: (d) => openStore(d, w.world.config.gcs), clock: () => new Date() });
      const input = { restoreId: 'claims-retry', exportId, target: `local:${db.name}` };
      // The same activity run twice: as Temporal would retry it when the first report was lost.
      const first = await new MockActivityEnvironment().run(restoreExport, input);
      const second = await new MockActivityEnvironment().run(restoreExport, input);
      assert.deepEqual(second, first);
      assert.deepEqual((await sql<{ n: string }>(db.url, 'select count(*)::text as n from item'))[0], { n: String(ROWS) });
      // Another restore into the same tables is still refused.
      const other = await rejectionOf(new MockActivityEnvironment().run(restoreExport, { ...input, restoreId: 'claims-other' }));
      assert.equal((other as { code?: string }).code, 'TARGET_NOT_EMPTY');
    } finally {
      await catalog.destroy();
      await db.drop();
    }
  });

  it("a retry overlapping its own earlier attempt is retried, not refused as another restore's", async () => {
    const catalog = openCatalog(w.world.config.catalog.url);
    const earlier = new pg.Client({ connectionString: target.url });
    const retry = new pg.Client({ connectionString: target.url });
    await earlier.connect();
    await retry.connect();
    const claim = { database: 'test/claims-overlap', tables: ['public.overlap'], restoreId: 'claims-overlap', exportId, target: 'dst' };
    try {
      await earlier.query('begin');
      await claimTargetTables(earlier, catalog, claim);
      await retry.query('begin');
      const again = (await rejectionOf(claimTargetTables(retry, catalog, claim))) as { code?: string; message: string };
      assert.equal(again.code, 'TARGET_HELD_BY_EARLIER_ATTEMPT', again.message);
      const other = (await rejectionOf(claimTargetTables(retry, catalog, { ...claim, restoreId: 'claims-intruder' }))) as { code?: string; message: string };
      assert.equal(other.code, 'TARGET_BUSY', other.message);
      // Once the earlier attempt's transaction ends, the retry takes the claim.
      await earlier.query('rollback');
      await retry.query('rollback');
      await retry.query('begin');
      assert.deepEqual(await claimTargetTables(retry, catalog, claim), {});
      await retry.query('rollback');
    } finally {
      await earlier.end();
      await retry.end();
      await catalog('restore_claims').where({ database: claim.database }).delete();
      await catalog.destroy();
    }
  });

  it('the live source is refused even with its tables emptied; a new schema of it is allowed', async () => {
    await sql(source.url, 'create table keep_rows as select * from item', 'truncate item');
    try {
      const before = await databaseFingerprint(source.url);
      const refused = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'src' })));
      assert.equal(refused.type, 'TARGET_FORBIDDEN');
      assert.match(refused.message, /live source/);
      const ownSchema = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'src', targetSchema: 'public' })));
      assert.equal(ownSchema.type, 'TARGET_FORBIDDEN');
      assert.deepEqual(await databaseFingerprint(source.url), before);
      const copy = await w.restoreNow({ exportId, target: 'src', targetSchema: 'scratch_copy' });
      assert.equal(copy.rows, ROWS);
    } finally {
      await sql(source.url, 'drop schema if exists scratch_copy cascade', 'insert into item select * from keep_rows', 'drop table keep_rows');
    }
  });

  it('the catalog database and a template database are refused before anything is written', async () => {
    const catalogTables = async () => sql<{ n: string }>(w.world.config.catalog.url, `select count(*)::text as n from pg_tables where schemaname = 'public'`);
    const before = await catalogTables();
    const intoCatalog = failureOf(await rejectionOf(w.restoreNow({ exportId, target: `local:${new URL(w.world.config.catalog.url).pathname.slice(1)}` })));
    assert.equal(intoCatalog.type, 'TARGET_FORBIDDEN');
    assert.match(intoCatalog.message, /catalog/);
    assert.deepEqual(await catalogTables(), before);

    const intoTemplate = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'tpl' })));
    assert.equal(intoTemplate.type, 'TARGET_FORBIDDEN');
    assert.match(intoTemplate.message, /template/);
    assert.deepEqual(await sql(template.url, `select tablename from pg_tables where schemaname = 'public'`), []);
  });

  it('template1 itself is refused by the guard (checked in a transaction that is rolled back)', async () => {
    const store = w.store(destination);
    const manifest = JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')) as Manifest;
    const client = new pg.Client({ connectionString: withDatabase(testStack().postgres.adminUrl, 'template1') });
    await client.connect();
    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      await client.query('begin');
      const error = await rejectionOf(refuseForbiddenTarget(client, catalog, 'local:template1', undefined, manifest));
      assert.equal((error as { code?: string }).code, 'TARGET_FORBIDDEN');
    } finally {
      await client.query('rollback');
      await client.end();
      await catalog.destroy();
    }
  });
});
