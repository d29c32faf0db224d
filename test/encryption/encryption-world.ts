import { execFileSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream, type Checksums } from '../../streams/checksum-stream';
import { sha256Hex } from '../../streams/sha256';
import type { ExportWorld } from '../export/harness';

/**
 * The fixture's sentinels: distinctive values planted in the source's rows (and a column
 * default, which pg_dump's DDL carries), which must appear in no stored byte.
 */
export const SENTINELS = ['SENTINEL-aqua-7f3a9c', 'sentinel.mauve.41d2@example.invalid', 'SENTINEL-DEFAULT-b9e1'];

export const SENTINEL_FIXTURE = [
  `create table customer (id int primary key, email text not null, note text default '${SENTINELS[2]}')`,
  'create table purchase (id int primary key, customer_id int not null references customer, memo text)',
  `insert into customer select g, case when g % 97 = 0 then '${SENTINELS[1]}' else 'user' || g || '@example.invalid' end, repeat(md5(g::text), 3) from generate_series(1, 4000) g`,
  `insert into purchase select g, 1 + g % 4000, case when g % 13 = 0 then '${SENTINELS[0]}' else md5(g::text) end from generate_series(1, 20000) g`,
];

export async function withCatalog<T>(w: ExportWorld, work: (db: Knex) => Promise<T>): Promise<T> {
  const db = openCatalog(w.world.config.catalog.url);
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** Every stored object of an export, its key and bytes. */
export async function storedObjects(store: ObjectStore, exportId: string): Promise<{ key: string; bytes: Buffer }[]> {
  const found: { key: string; bytes: Buffer }[] = [];
  for await (const object of store.list(`${objectNames.exportRoot(exportId)}/`)) found.push({ key: object.key, bytes: await store.getBytes(object.key) });
  return found;
}

/** Whether the system zstd can decompress `bytes`. */
export function zstdDecompresses(bytes: Buffer): boolean {
  try {
    execFileSync('zstd', ['-d', '-q', '-c'], { input: bytes, stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

export async function readManifest(store: ObjectStore, exportId: string): Promise<Manifest> {
  return JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')) as Manifest;
}

/**
 * Rewrites the manifest and its hash in the catalog, as someone with write access to the bucket
 * and the catalog but without the data key would: every checksum agrees again.
 */
export async function resignManifest(w: ExportWorld, store: ObjectStore, exportId: string, edit: (m: Manifest) => void): Promise<void> {
  const manifest = await readManifest(store, exportId);
  edit(manifest);
  const bytes = Buffer.from(JSON.stringify(manifest, null, 1));
  await store.putBytes(objectNames.manifest(exportId), bytes);
  await withCatalog(w, (db) => db('exports').where({ id: exportId }).update({ manifest_sha256: sha256Hex(bytes) }));
}

/** The checksums a store would record for `bytes`. */
export async function checksumsOf(bytes: Buffer): Promise<Checksums> {
  const checksum = new ChecksumStream();
  await pipeline(Readable.from([bytes]), checksum, new Writable({ write: (_c, _e, done) => done() }));
  return checksum.result();
}
