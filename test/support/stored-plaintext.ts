import { openCatalog } from '../../catalog/catalog-db';
import type { Config } from '../../config/schema';
import { cipherOf } from '../../crypto/export-keys';
import { unsealManifest } from '../../crypto/manifest-seal';
import { openKeyProvider } from '../../crypto/open-key-provider';
import { manifestSchema, type Manifest } from '../../core/manifest';

/**
 * What a stored object of an export holds, decrypted with the export's data key when it is
 * encrypted (as every export is by default): for tests that look inside what was stored.
 */
export async function plaintextOf(config: Config, exportId: string, key: string, stored: Buffer): Promise<Buffer> {
  if (stored.subarray(0, 4).toString('latin1') !== 'RPE1') return stored;
  const catalog = openCatalog(config.catalog.url);
  try {
    return (await cipherOf(catalog, openKeyProvider(config), exportId)).open(key, stored);
  } finally {
    await catalog.destroy();
  }
}

/** A stored full-export manifest with its sealed values (defaults, generation expressions, sequence values) back in place. */
export async function readableManifest(config: Config, exportId: string, manifestKey: string, stored: Buffer): Promise<Manifest> {
  const manifest = manifestSchema.parse(JSON.parse(stored.toString('utf8')));
  if (manifest.sealed === undefined) return manifest;
  const catalog = openCatalog(config.catalog.url);
  try {
    return unsealManifest(manifest, await cipherOf(catalog, openKeyProvider(config), exportId), manifestKey);
  } finally {
    await catalog.destroy();
  }
}
