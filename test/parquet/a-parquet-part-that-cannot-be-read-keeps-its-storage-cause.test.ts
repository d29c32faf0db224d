import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parquetColumn } from '../../activities/export/parquet-type-mapping';
import { loadParquetPart } from '../../activities/restore/parquet-load-part';
import { isRestorepointError } from '../../core/errors';
import type { ManifestColumn, ManifestPart, ManifestTable } from '../../core/manifest';
import { LocalStore } from '../../storage/local-store';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

const column = (name: string, type: string): ManifestColumn => ({ name, type, nullable: true, default: null, generated: null, identity: null });

/**
 * Incident (issue 11): a Parquet part that could not be read was reported as
 * CHECKSUM_MISMATCH — corruption — although no checksum had been compared. A missing object
 * is OBJECT_MISSING, as the store driver says; CHECKSUM_MISMATCH means a checksum mismatched.
 */
describe('a Parquet part that cannot be read keeps its storage cause', () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-parquet-missing-'));

  before(async () => {
    db = await scratchDatabase('pq_missing');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing part is OBJECT_MISSING, never CHECKSUM_MISMATCH', async () => {
    const columns = [column('id', 'bigint'), column('v', 'text')];
    const table = { schema: 'public', name: 'orders', columns } as unknown as ManifestTable;
    const part: ManifestPart = { key: 'x/data/public.orders/part-00000.parquet', partNo: 0, rows: 1, bytes: 10, sha256: '0'.repeat(64), crc32c: 'AAAAAA==' };
    const mapping = { writer: 'test', tables: { 'public.orders': columns.map(parquetColumn) } };
    await client.query('create table orders (id bigint, v text)');
    await assert.rejects(loadParquetPart(client, new LocalStore(dir), { schema: 'public', name: 'orders' }, table, part, mapping), (error: unknown) => {
      assert.ok(isRestorepointError(error), String(error));
      assert.equal(error.code, 'OBJECT_MISSING', error.message);
      assert.match(error.message, /nothing was committed/);
      return true;
    });
  });
});
