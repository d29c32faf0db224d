import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { placeHold, releaseHold } from '../../catalog/holds-repo';
import { listLedger } from '../../catalog/ledger';
import { shredExport } from '../../client/shred';
import { getExportKey } from '../../crypto/export-keys';
import { LocalKeyring } from '../../crypto/local-keyring';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';
import { runCli, worldCliEnv } from '../support/cli';
import { TEST_ADMIN, tokenFor } from '../support/identity';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { verifyNow } from '../verify/verify-support';
import { SENTINEL_FIXTURE, withCatalog } from './encryption-world';

/**
 * Issue 13, items 2 and 4. The worker and the CLI share a keyring of this test's own (so a
 * rotation here touches no other test). `keys rotate` needs `keys.rotate` on every source (admin),
 * checked in the worker; it re-wraps data keys without rewriting any object, and exports made
 * before it still restore. `exports shred` is a dry run unless
 * confirmed, refused under legal hold and while a delta builds on the export, ledgered, and
 * afterwards restore and verify refuse with KEY_DESTROYED.
 */
describe('shredded exports are refused and rotated keys keep exports readable', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-shred-'));
  const keyringFile = path.join(folder, 'keyring', 'keyring.json');
  const destination = `file://${folder}/objects`;
  const cliEnv = () => ({ ...worldCliEnv(w.world), RESTOREPOINT_KEYRING_FILE: keyringFile });

  before(async () => {
    source = await scratchDatabase('shred_src');
    target = await scratchDatabase('shred_dst');
    await sql(source.url, ...SENTINEL_FIXTURE);
    w = await exportWorld({ src: source.url, dst: target.url }, {}, { worker: false });
    w.world.config.encryption.keyringFile = keyringFile;
    await w.world.startWorker();
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const restoreMatches = async (exportId: string) => {
    await sql(target.url, 'drop table if exists purchase', 'drop table if exists customer');
    await w.restoreNow({ exportId, target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
  };

  it('keys rotate is refused in the worker to anyone but an admin of every source, and changes no key', async () => {
    await w.exportNow({ exportId: 'rot-refused', source: 'src', destination });
    const keyring = fs.readFileSync(keyringFile, 'utf8');
    const before = await withCatalog(w, (db) => getExportKey(db, 'rot-refused'));
    for (const [subject, roles] of [['rita', { '*': ['restorer'] }], ['ada', { src: ['admin'] }]] as const) {
      const refused = await runCli({ ...cliEnv(), RESTOREPOINT_TOKEN: await tokenFor(subject, roles) }, ['keys', 'rotate', '--json']);
      assert.notEqual(refused.code, 0, subject);
      assert.match(refused.stdout + refused.stderr, /PERMISSION_DENIED/, subject);
    }
    assert.equal(fs.readFileSync(keyringFile, 'utf8'), keyring, 'no key was added');
    assert.deepEqual(await withCatalog(w, (db) => getExportKey(db, 'rot-refused')), before, 'no data key was re-wrapped');
    const denied = (await withCatalog(w, (db) => listLedger(db, { action: 'auth.denied' }))).filter((e) => e.details.permission === 'keys.rotate');
    assert.deepEqual(denied.map((e) => [e.actor, e.details.resource]), [['rita', '*'], ['ada', '*']]);
    assert.equal((await withCatalog(w, (db) => listLedger(db, { action: 'keys.rotated' }))).length, 0);
  });

  it('keys rotate re-wraps every data key under a new key, rewrites no object, and older exports still restore', async () => {
    await w.exportNow({ exportId: 'rot-before', source: 'src', destination });
    const before = await withCatalog(w, (db) => getExportKey(db, 'rot-before'));
    const objectsBefore = fs.readdirSync(path.join(folder, 'objects', 'rot-before'), { recursive: true }).map((f) => [f, fs.statSync(path.join(folder, 'objects', 'rot-before', String(f))).mtimeMs]);

    const rotated = await runCli(cliEnv(), ['keys', 'rotate', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const answer = JSON.parse(rotated.stdout) as { keyId: string; rewrapped: { exportId: string }[] };
    assert.equal(answer.keyId, await new LocalKeyring(keyringFile).currentKeyId());
    assert.notEqual(answer.keyId, before!.keyId);
    assert.ok(answer.rewrapped.some((r) => r.exportId === 'rot-before'));

    const after = await withCatalog(w, (db) => getExportKey(db, 'rot-before'));
    assert.equal(after!.keyId, answer.keyId);
    assert.ok(after!.rewrappedAt);
    const objectsAfter = fs.readdirSync(path.join(folder, 'objects', 'rot-before'), { recursive: true }).map((f) => [f, fs.statSync(path.join(folder, 'objects', 'rot-before', String(f))).mtimeMs]);
    assert.deepEqual(objectsAfter, objectsBefore, 'no object was rewritten');
    await restoreMatches('rot-before');

    await w.exportNow({ exportId: 'rot-after', source: 'src', destination });
    assert.equal((await withCatalog(w, (db) => getExportKey(db, 'rot-after')))!.keyId, answer.keyId);
    await restoreMatches('rot-after');
    const entries = await withCatalog(w, (db) => listLedger(db, { action: 'keys.rotated' }));
    assert.deepEqual(entries.map((e) => [e.subject, e.actor]), [[answer.keyId, TEST_ADMIN]], 'ledgered once, as the verified subject');
  });

  it('exports shred: a dry run changes nothing, a legal hold refuses it, then restore and verify refuse with KEY_DESTROYED', async () => {
    const exportId = 'shred-me';
    await w.exportNow({ exportId, source: 'src', destination });
    const dry = await withCatalog(w, (db) => shredExport(w.client, db, { exportId, reason: 'erasure request 42', requestedBy: 'test' }));
    assert.deepEqual([dry.dryRun, dry.changed, dry.destroyedAt], [true, false, null]);
    assert.equal((await withCatalog(w, (db) => getExportKey(db, exportId)))!.destroyedAt, null);

    await withCatalog(w, (db) => placeHold(db, { exportId, reason: 'case 7', actor: 'test' }));
    const held = failureOf(await rejectionOf(withCatalog(w, (db) => shredExport(w.client, db, { exportId, reason: 'erasure request 42', requestedBy: 'test', confirm: true }))));
    assert.equal(held.type, 'SHRED_REFUSED', held.message);
    assert.equal((await withCatalog(w, (db) => getExportKey(db, exportId)))!.destroyedAt, null);
    await withCatalog(w, (db) => releaseHold(db, { exportId, reason: 'case closed', actor: 'test' }));

    const cli = await runCli(cliEnv(), ['exports', 'shred', exportId, '--reason', 'erasure request 42', '--confirm', '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const shredded = JSON.parse(cli.stdout) as { changed: boolean; destroyedAt: string };
    assert.equal(shredded.changed, true);
    assert.ok(shredded.destroyedAt);

    const before = await databaseFingerprint(target.url);
    const restore = failureOf(await rejectionOf(w.restoreNow({ exportId, target: 'dst' })));
    assert.equal(restore.type, 'KEY_DESTROYED', restore.message);
    assert.deepEqual(await databaseFingerprint(target.url), before);
    for (const level of ['checksums', 'decode'] as const) {
      const verify = failureOf(await rejectionOf(verifyNow(w, { exportId, level, incremental: false })));
      assert.equal(verify.type, 'KEY_DESTROYED', `${level}: ${verify.message}`);
    }

    const ledger = await withCatalog(w, (db) => listLedger(db, { subject: exportId, action: 'export.shredded' }));
    assert.equal(ledger.length, 1);
    assert.equal((ledger[0]!.details as { reason?: string }).reason, 'erasure request 42');
    const again = await runCli(cliEnv(), ['exports', 'shred', exportId, '--reason', 'again', '--confirm', '--json']);
    assert.equal((JSON.parse(again.stdout) as { changed: boolean }).changed, false, 'shredding is idempotent');
  });

  it('an export an incremental export builds on, or an unencrypted one, cannot be shredded', async () => {
    await w.exportNow({ exportId: 'shred-parent', source: 'src', destination });
    await w.exportNow({ exportId: 'shred-child', source: 'src', destination });
    // The catalog's chain link, as a delta following the parent records it.
    await withCatalog(w, (db) => db('exports').where({ id: 'shred-child' }).update({ parent_export_id: 'shred-parent' }));
    const dependent = failureOf(await rejectionOf(withCatalog(w, (db) => shredExport(w.client, db, { exportId: 'shred-parent', reason: 'x', requestedBy: 'test', confirm: true }))));
    assert.equal(dependent.type, 'SHRED_REFUSED', dependent.message);
    assert.match(dependent.message, /shred-child/);
    assert.equal((await withCatalog(w, (db) => getExportKey(db, 'shred-parent')))!.destroyedAt, null);

    await w.exportNow({ exportId: 'shred-plain', source: 'src', destination, encrypt: false });
    const refused = failureOf(await rejectionOf(withCatalog(w, (db) => shredExport(w.client, db, { exportId: 'shred-plain', reason: 'x', requestedBy: 'test', confirm: true }))));
    assert.equal(refused.type, 'SHRED_REFUSED', refused.message);
  });
});
