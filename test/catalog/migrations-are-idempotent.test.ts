import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrateCatalog, openCatalog } from '../../catalog/catalog-db';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

let scratch: ScratchDatabase;
before(async () => {
  scratch = await scratchDatabase('catalog');
});
after(() => scratch.drop());

test('concurrent first migrations queue instead of failing, and apply each migration once', async () => {
  const pools = Array.from({ length: 4 }, () => openCatalog(scratch.url));
  try {
    const reports = await Promise.all(pools.map((db) => migrateCatalog(db)));
    const applied = reports.flatMap((r) => r.applied);
    assert.deepEqual(applied, [...new Set(applied)], 'no migration ran twice');
    assert.ok(applied.some((name) => name.endsWith('-create-ledger.ts')));
  } finally {
    await Promise.all(pools.map((db) => db.destroy()));
  }
});

test('migrating a current catalog applies nothing', async () => {
  const db = openCatalog(scratch.url);
  try {
    assert.deepEqual(await migrateCatalog(db), { applied: [] });
    for (const table of ['exports', 'export_files', 'verification_runs', 'ledger']) {
      assert.equal(await db.schema.hasTable(table), true, table);
    }
  } finally {
    await db.destroy();
  }
});
