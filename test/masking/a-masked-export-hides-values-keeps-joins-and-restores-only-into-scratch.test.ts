import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { listChainLinks } from '../../catalog/chain-repo';
import { listLedger } from '../../catalog/ledger';
import { baseShortfall } from '../../core/restore-points';
import { openCatalog } from '../../catalog/catalog-db';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { startRollback } from '../../client/rollbacks';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { copyOutStatement } from '../../postgres/copy-statements';
import { plaintextOf } from '../support/stored-plaintext';
import { applyExportSessionSettings } from '../../postgres/session-settings';
import { fingerprintCsvRows } from '../../streams/row-fingerprint';
import type { Config } from '../../config/schema';
import { manifestSchema, type Manifest } from '../../core/manifest';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { tokenFor } from '../support/identity';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { sql } from '../rollback/rollback-world';

/** The innermost failure's type (workflow → activity → application failure) or our error's code. */
function failureCode(error: unknown): string {
  let current = error as { cause?: unknown; type?: string; code?: string };
  while (current.cause) current = current.cause as typeof current;
  return current.type ?? current.code ?? '';
}

const REDACTED = 'redacted@example.invalid';

describe('a masked export hides the masked values, keeps joins on hashed keys, and restores only into a scratch target', () => {
  let db: ScratchDatabase;
  let world: TestWorld;
  let config: Config;
  let worker: RunningWorker;
  let client: RestorepointClient;
  let folder: string;
  let exportId: string;
  let manifest: Manifest;
  const scratch: ScratchDatabase[] = [];

  before(async () => {
    db = await pagilaDatabase('mask');
    world = await startTestWorld({ app: db.url });
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-mask-'));
    const keyFile = path.join(folder, 'masking.key');
    fs.writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    config = {
      ...world.config,
      masking: {
        keyFile,
        profiles: {
          sandbox: {
            tables: {
              customer: { customer_id: { hash: true }, email: { redact: REDACTED }, first_name: { hash: true }, last_name: { truncate: 1 }, create_date: { shiftDays: -30 }, last_update: { null: true } },
              'public.rental': { customer_id: { hash: true } },
              payment: { customer_id: { hash: true } },
              address: { phone: { redact: '555-0100' } },
            },
          },
          typo: { tables: { customer: { emial: { null: true } } } },
          notnull: { tables: { address: { phone: { null: true } } } },
        },
      },
    };
    worker = await createWorker(config, world.env.nativeConnection);
    client = await connectClient(config);
  });
  after(async () => {
    await client?.close();
    worker?.worker.shutdown();
    await worker?.finished.catch(() => undefined);
    await world?.close();
    for (const s of scratch) await s.drop();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Every stored object's bytes, decrypted (exports are encrypted by default) and decompressed when zstd. */
  const storedText = async () =>
    (
      await Promise.all(
        fs
          .readdirSync(folder, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile() && e.name !== 'masking.key')
          .map(async (e) => {
            const file = path.join(e.parentPath, e.name);
            const key = path.relative(folder, file).split(path.sep).join('/');
            const bytes = await plaintextOf(config, key.split('/')[0]!, key, fs.readFileSync(file));
            return (e.name.endsWith('.zst') ? zlib.zstdDecompressSync(bytes) : bytes).toString('utf8');
          }),
      )
    ).join('\n');

  it('an exporter exports with --mask: the manifest, the catalog and the ledger say so, and the export is partial and never a chain base', async () => {
    const exporter = await connectClient(config, { tokens: async () => tokenFor('erin', { app: ['exporter'] }) });
    try {
      const handle = await startExport(exporter, { source: 'app', destination: `file://${folder}`, mask: 'sandbox' });
      await handle.result();
      exportId = handle.exportId;
    } finally {
      await exporter.close();
    }
    manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(folder, exportId, 'manifest.json'), 'utf8')));
    assert.equal(manifest.masking?.profile, 'sandbox');
    assert.match(manifest.masking?.rulesDigest ?? '', /^[0-9a-f]{64}$/);
    assert.match(manifest.masking?.keyId ?? '', /^[0-9a-f]{16}$/);
    assert.deepEqual(manifest.masking?.columns['public.rental'], { customer_id: { hash: true } });
    assert.ok(!JSON.stringify(manifest).includes(fs.readFileSync(config.masking.keyFile!, 'utf8').trim()), 'never the key');

    const catalog = openCatalog(config.catalog.url);
    try {
      const row = (await catalog('exports').where({ id: exportId }).first()) as { partial: boolean; masking: { profile: string; rulesDigest: string } };
      assert.equal(row.partial, true, 'never a full restore point');
      const link = (await listChainLinks(catalog, { source: 'app' })).find((l) => l.exportId === exportId)!;
      assert.match(baseShortfall(link, ['customer']) ?? '', /is a masked export \(its rows are not the source's, never a chain base\)/);
      assert.deepEqual(row.masking, { profile: 'sandbox', rulesDigest: manifest.masking!.rulesDigest });
      const entries = await listLedger(catalog, { subject: exportId });
      const granted = entries.find((e) => e.action === 'auth.granted');
      assert.deepEqual([granted?.actor, granted?.details.permission], ['erin', 'export']);
      const requested = entries.find((e) => e.action === 'export.requested');
      assert.deepEqual(requested?.details.masking, { profile: 'sandbox', rulesDigest: manifest.masking!.rulesDigest });
    } finally {
      await catalog.destroy();
    }
  });

  it('no stored byte holds an original email or address phone', async () => {
    const text = await storedText();
    const originals = (await sql(db.url, "select email, first_name, phone from customer join address using (address_id) where phone <> ''")).rows as { email: string; first_name: string; phone: string }[];
    assert.ok(originals.length > 500);
    for (const o of originals) {
      assert.ok(!text.includes(o.email), `email ${o.email.slice(0, 3)}… is stored in clear`);
      assert.ok(!text.includes(o.phone), 'a phone number is stored in clear');
    }
    assert.ok(text.includes(REDACTED));
  });

  it('restored into a scratch database, masked columns hold no original, payments still join their customers, and masked tables fingerprint as the manifest says', async () => {
    const target = await scratchDatabase('maskscratch');
    scratch.push(target);
    const restore = await startRestore(client, { exportId, target: `local:${target.name}`, requestedBy: 'test' });
    await restore.result();
    const restored = (await sql(target.url, 'select customer_id, email, first_name, last_name, create_date::text as created from customer order by customer_id')).rows;
    const source = (await sql(db.url, 'select customer_id, email, first_name, last_name, create_date::text as created from customer order by customer_id')).rows;
    assert.equal(restored.length, source.length);
    assert.ok(restored.every((r) => r.email === REDACTED || r.email === null));
    assert.ok(restored.every((r) => /^[0-9a-f]{64}$/.test(r.first_name) && r.last_name.length === 1));
    const sourceIds = new Set(source.map((r) => r.customer_id));
    assert.ok(restored.filter((r) => sourceIds.has(r.customer_id)).length < 5, 'customer ids are hashed');
    assert.equal(new Set(restored.map((r) => r.created)).size, new Set(source.map((r) => r.created)).size);
    const shifted = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 30 * 86400e3).toISOString().slice(0, 10);
    assert.deepEqual([...new Set(restored.map((r) => r.created))].sort(), [...new Set(source.map((r) => shifted(r.created)))].sort());
    // Joins on the hashed key: every payment and rental still finds its customer, the same number per customer.
    const perCustomer = async (url: string) =>
      (await sql(url, 'select c.last_name, count(p.*)::int as n, sum(p.amount)::text as total from customer c join payment p using (customer_id) group by c.customer_id, c.last_name order by 3, 2, 1')).rows.map((r) => `${String(r.last_name).slice(0, 1)} ${r.n} ${r.total}`);
    assert.deepEqual(await perCustomer(target.url), await perCustomer(db.url));
    const orphans = (await sql(target.url, 'select count(*)::int as n from rental r left join customer c using (customer_id) where c.customer_id is null')).rows[0].n;
    assert.equal(orphans, 0);
    assert.equal((await sql(target.url, "select count(*)::int as n from address where phone <> '555-0100'")).rows[0].n, 0);
    assert.equal((await sql(target.url, 'select count(*)::int as n from customer where last_update is not null')).rows[0].n, 0);
    // Copied out again as the export copied the source, every masked table fingerprints as its manifest says.
    const reader = new pg.Client({ connectionString: target.url });
    await reader.connect();
    try {
      await applyExportSessionSettings(reader);
      for (const key of Object.keys(manifest.masking!.columns)) {
        const table = manifest.tables.find((t) => `${t.schema}.${t.name}` === key)!;
        const statement = copyOutStatement({ schema: table.schema, name: table.name, kind: table.kind }, table.columns.filter((c) => c.generated === null).map((c) => c.name), 'csv');
        const restoredPrint = await fingerprintCsvRows(reader.query(copyTo(statement)), 0x22);
        assert.deepEqual(restoredPrint, { rows: table.fingerprint!.rows, sum: table.fingerprint!.sum }, key);
      }
    } finally {
      await reader.end();
    }
  });

  it('a restore into a configured source, or into the source under a local: name, is refused MASKED_EXPORT_RESTRICTED, ledgered, and changes nothing', async () => {
    const untouched = await databaseFingerprint(db.url);
    for (const [target, targetSchema] of [['app', undefined], ['app', 'sandbox'], [`local:${db.name}`, 'sandbox']] as const) {
      const restore = await startRestore(client, { exportId, target, ...(targetSchema ? { targetSchema } : {}), requestedBy: 'test' });
      await assert.rejects(restore.result(), (e) => e instanceof WorkflowFailedError && failureCode(e) === 'MASKED_EXPORT_RESTRICTED');
    }
    const rollback = await startRollback(client, { source: 'app', target: { exportId }, tables: ['customer'], requestedBy: 'alice', reason: 'masked' });
    await assert.rejects(rollback.result(), (e) => failureCode(e) === 'MASKED_EXPORT_RESTRICTED');
    assert.deepEqual(await databaseFingerprint(db.url), untouched);
    assert.equal((await sql(db.url, "select count(*)::int as n from pg_namespace where nspname = 'sandbox' or nspname like 'rp\\_%'")).rows[0].n, 0);
    const catalog = openCatalog(config.catalog.url);
    try {
      const refusals = (await listLedger(catalog, {})).filter((e) => e.action === 'restore.failed' && /is masked \(profile sandbox\)/.test(String(e.details.error)));
      assert.equal(refusals.length, 3, 'each refused restore is in the ledger');
    } finally {
      await catalog.destroy();
    }
  });

  it('refuses by name, before any workflow or record: jsonl, parquet and incremental masked exports, an unknown profile, a misspelt column, null on NOT NULL, and a viewer', async () => {
    for (const format of ['jsonl', 'parquet'] as const) {
      await assert.rejects(startExport(client, { source: 'app', destination: `file://${folder}`, format, mask: 'sandbox' }), /masking applies to csv exports; (jsonl|parquet) exports cannot be masked yet/);
    }
    await assert.rejects(startExport(client, { source: 'app', destination: `file://${folder}`, mode: 'incremental', mask: 'sandbox' }), /masking applies to full exports/);
    await assert.rejects(startExport(client, { source: 'app', destination: `file://${folder}`, mask: 'nosuch' }), /no masking profile "nosuch" in config \(masking\.profiles: sandbox, typo, notnull\)/);
    await assert.rejects(startExport(client, { source: 'app', destination: `file://${folder}`, mask: 'typo' }), /public\.customer: no column "emial" \(a misspelt column would be left unmasked\)/);
    await assert.rejects(startExport(client, { source: 'app', destination: `file://${folder}`, mask: 'notnull' }), /public\.address: "phone" is NOT NULL: use redact or hash/);
    const viewer = await connectClient(config, { tokens: async () => tokenFor('vera', { app: ['viewer'] }) });
    try {
      const refused = await startExport(viewer, { source: 'app', destination: `file://${folder}`, mask: 'sandbox' });
      await assert.rejects(refused.result(), (e) => failureCode(e) === 'PERMISSION_DENIED');
    } finally {
      await viewer.close();
    }
    const catalog = openCatalog(config.catalog.url);
    try {
      assert.equal(((await catalog('exports').count({ n: '*' }).first()) as { n: string }).n, '1', 'only the masked export of the first test');
    } finally {
      await catalog.destroy();
    }
  });
});
