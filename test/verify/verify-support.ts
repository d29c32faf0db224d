import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import { startVerification, type StartVerificationOptions } from '../../client/verifications';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import type { VerificationReport } from '../../core/verification/verification-report';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { addFingerprints, RowFingerprint } from '../../streams/row-fingerprint';
import { sha256Hex } from '../../streams/sha256';
import type { ExportWorld } from '../export/harness';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';

/** Runs verifyExportWorkflow to its report. */
export async function verifyNow(w: ExportWorld, options: StartVerificationOptions): Promise<VerificationReport> {
  return (await startVerification(w.client, { requestedBy: 'test', ...options })).result();
}

/** Runs `work` with the world's catalog, closing it afterwards. */
export async function withWorldCatalog<T>(w: ExportWorld, work: (db: Knex) => Promise<T>): Promise<T> {
  const db = openCatalog(w.world.config.catalog.url);
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** The keys of a table's stored parts, in part order. */
export async function partKeys(store: ObjectStore, exportId: string, table: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(objectNames.tableFolder(exportId, 'public', table))) keys.push(object.key);
  return keys.sort();
}

/**
 * Replaces a part AND every record of it (catalog row, manifest entry, manifest hash in the
 * catalog), as a buggy writer would have: the checksums all agree, so only reading the
 * content (decode, restore) can tell.
 */
export async function rewritePartEverywhere(w: ExportWorld, store: ObjectStore, exportId: string, key: string, bytes: Buffer, options: { refingerprint?: boolean } = {}): Promise<void> {
  await store.putBytes(key, bytes);
  const sums = await checksumsOf(bytes);
  const manifestKey = objectNames.manifest(exportId);
  const manifest = JSON.parse((await store.getBytes(manifestKey)).toString('utf8')) as Manifest;
  for (const table of manifest.tables) {
    for (const part of table.parts) {
      if (part.key !== key) continue;
      Object.assign(part, { bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c });
      // An uncompressed CSV part's rows fingerprinted again, and its table's sum with them.
      if (options.refingerprint && part.fingerprint && table.fingerprint) {
        const rows = new RowFingerprint();
        rows.update(bytes);
        part.fingerprint = rows.result();
        table.fingerprint = { ...table.fingerprint, ...addFingerprints(table.parts.map((p) => p.fingerprint!)) };
      }
    }
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  await store.putBytes(manifestKey, manifestBytes);
  await withWorldCatalog(w, async (db) => {
    await db('export_files').where({ export_id: exportId, object_key: key }).update({ bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c });
    await db('exports').where({ id: exportId }).update({ manifest_sha256: sha256Hex(manifestBytes) });
  });
}

async function checksumsOf(bytes: Buffer) {
  const stream = new ChecksumStream();
  stream.resume();
  stream.end(bytes);
  await new Promise((resolve) => stream.on('end', resolve));
  return stream.result();
}

/** Runs the CLI against the test world; resolves with its exit code and output. */
export function cli(w: ExportWorld, ...args: string[]): Promise<CliResult> {
  return runCli(worldCliEnv(w.world), args);
}

/** The failure a report must hold for `key` with `status`; the report's messages must name the object first. */
export function failureNamed(report: VerificationReport, key: string, status: string) {
  assert.equal(report.status, 'failed');
  const found = report.failures.find((f) => 'key' in f && f.key === key && f.status === status);
  assert.ok(found, `expected ${status} of ${key}, got ${JSON.stringify(report.messages)}`);
  assert.ok(report.messages.some((m) => m.startsWith(`${key}: `)), JSON.stringify(report.messages));
  return found;
}
