import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { anchorKey, listLedger, verifyAnchoredLedger } from '../../catalog/ledger';
import { manifestSchema } from '../../core/manifest';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

let w: ExportWorld;
let source: ScratchDatabase;
const destination = `gs://restorepoint-anchor-${process.pid}/backups`;

before(async () => {
  source = await scratchDatabase('anchor_src');
  await sql(source.url, 'create table t (id int primary key, v text)', `insert into t select g, md5(g::text) from generate_series(1, 100) g`);
  w = await exportWorld({ src: source.url });
});
after(async () => {
  await w?.close();
  await source?.drop();
});

it('an export writes the ledger head to its destination and into its manifest, and verify finds it there', async () => {
  const { exportId } = await w.exportNow({ exportId: 'anchored-1', source: 'src', destination });
  const manifest = manifestSchema.parse(JSON.parse((await w.store(destination).getBytes(`${exportId}/manifest.json`)).toString('utf8')));
  assert.ok(manifest.ledger, 'the manifest records the head');
  const stored = await w.store(destination).stat(anchorKey(manifest.ledger));
  assert.ok(stored, 'the anchor object is beside the export');
  const catalog = openCatalog(w.world.config.catalog.url);
  try {
    const [entry] = await listLedger(catalog, { action: 'ledger.anchored' });
    assert.deepEqual([entry?.details.seq, entry?.details.hash, entry?.details.reason], [manifest.ledger.seq, manifest.ledger.hash, `export ${exportId}`]);
    const verified = await verifyAnchoredLedger(catalog, (d) => w.store(d));
    assert.ok(verified.ok);
    assert.equal(verified.anchors.newest?.seq, manifest.ledger.seq);
  } finally {
    await catalog.destroy();
  }
});
