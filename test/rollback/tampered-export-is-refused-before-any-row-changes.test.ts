import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, type RollbackWorld } from './rollback-world';

describe('a tampered export is refused before the rollback touches anything', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await pagilaDatabase('rollback');
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('fails in prepare, names the object, creates no staging schema and changes no row', async () => {
    const exportId = await rw.exportApp();
    await sql(db.url, 'delete from film_actor where actor_id = 1');
    const afterAccident = await databaseFingerprint(db.url);
    const part = findFile(rw.folder, (name) => name.includes('film_actor') && !name.endsWith('.json'));
    const bytes = fs.readFileSync(part);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(part, bytes);

    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film_actor'], requestedBy: 'alice', reason: 'actor 1 vanished' });
    await assert.rejects(rollback.result());
    const status = await rollback.status();
    assert.equal(status.stage, 'failed');
    assert.match(status.outcome ?? '', /mismatch/);
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident);
    assert.equal((await sql(db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'")).rowCount, 0);
  });
});

function findFile(dir: string, match: (name: string) => boolean): string {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, match);
      if (found) return found;
    } else if (match(full)) return full;
  }
  return '';
}
