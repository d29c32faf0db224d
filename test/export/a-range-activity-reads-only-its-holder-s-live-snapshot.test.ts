import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createExportRangeActivity } from '../../activities/export/export-range';
import { upsertExport } from '../../catalog/exports-repo';
import { configSchema } from '../../config/schema';
import type { ExportRangeInput } from '../../core/export-ranges';
import { sourceIdentity } from '../../postgres/introspect';
import { openSharedSnapshot, type SharedSnapshot } from '../../postgres/snapshot';
import { openStore } from '../../storage/open-store';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql } from './harness';

/**
 * A range activity (issue 16 item 3) reads under the snapshot its export's holder exported, or
 * not at all: once the holder's transaction is over it fails SNAPSHOT_GONE (the workflow then
 * waits for the holder's next snapshot), and a worker whose source reaches another database
 * than the holder's is refused CONFIG_INVALID. Neither stores anything.
 */
describe('a range activity reads only its holder\'s live snapshot', () => {
  let catalog: FreshCatalog;
  let source: ScratchDatabase;
  let other: ScratchDatabase;
  let folder: string;
  let identity: Awaited<ReturnType<typeof sourceIdentity>>;

  before(async () => {
    catalog = await freshCatalog();
    source = await scratchDatabase('rangesnap');
    other = await scratchDatabase('rangesnap_other');
    for (const db of [source, other]) await sql(db.url, `create table big (id int primary key, v text)`, `insert into big select g, md5(g::text) from generate_series(1, 2000) g`);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-range-'));
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: source.url });
    await client.connect();
    identity = await sourceIdentity(client);
    await client.end();
  });
  after(async () => {
    await catalog?.close();
    await source?.drop();
    await other?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  function rangeActivity(sourceUrl: string) {
    const config = configSchema.parse({ catalog: { url: catalog.url }, temporal: {}, gcs: {}, worker: {}, export: {}, sources: { src: { url: sourceUrl } } });
    return createExportRangeActivity({ config, catalog: catalog.db, openStore: (d) => openStore(d, config.gcs), clock: () => new Date() });
  }

  function input(snapshot: Pick<SharedSnapshot, 'id' | 'txidSnapshot'>, exportId: string): ExportRangeInput {
    return {
      exportId,
      source: 'src',
      destination: pathToFileURL(folder).href,
      format: 'csv',
      compression: 'none',
      encrypt: false,
      plan: { snapshotId: snapshot.id, txidSnapshot: snapshot.txidSnapshot, systemIdentifier: identity.systemIdentifier, database: identity.database, partSizeBytes: 64 * 1024 },
      unit: { key: 'public.big#range-0:0-end', table: 'public.big', ref: { schema: 'public', name: 'big', kind: 'table' }, index: 0, pages: { from: 0, to: null }, columns: ['id', 'v'], jsonlText: [] },
    };
  }

  const stored = (exportId: string) => (fs.existsSync(path.join(folder, exportId, 'data')) ? fs.readdirSync(path.join(folder, exportId, 'data'), { recursive: true }) : []);

  it('reads its range while the holder keeps the snapshot open, and fails SNAPSHOT_GONE once the holder has ended it', async () => {
    const held = await openSharedSnapshot(source.url);
    await upsertExport(catalog.db, { id: 'range-live', mode: 'full', source: 'src', destination: pathToFileURL(folder).href, format: 'csv', compression: 'none', requestedBy: 'test' });
    const parts = (await new MockActivityEnvironment().run(rangeActivity(source.url), input(held.snapshot, 'range-live'))) as { rows: number }[];
    assert.equal(parts.reduce((n, p) => n + p.rows, 0), 2000);
    await held.close();

    const gone = await new MockActivityEnvironment().run(rangeActivity(source.url), input(held.snapshot, 'range-gone')).then(
      () => assert.fail('a range read without its snapshot'),
      (error: unknown) => error as { code?: string; message: string },
    );
    assert.equal(gone.code, 'SNAPSHOT_GONE', gone.message);
    assert.deepEqual(stored('range-gone'), []);
  });

  it('refuses CONFIG_INVALID when its worker\'s source reaches another database than the holder\'s', async () => {
    const held = await openSharedSnapshot(source.url);
    try {
      const refused = await new MockActivityEnvironment().run(rangeActivity(other.url), input(held.snapshot, 'range-elsewhere')).then(
        () => assert.fail('a range read another database'),
        (error: unknown) => error as { code?: string; message: string },
      );
      assert.equal(refused.code, 'CONFIG_INVALID', refused.message);
      assert.deepEqual(stored('range-elsewhere'), []);
    } finally {
      await held.close();
    }
  });
});
