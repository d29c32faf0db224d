import { z } from 'zod';
import type { Manifest } from '../core/manifest';
import type { ObjectCipher } from './object-cipher';

/** Stands in for a sealed value; keeps null apart from non-null, which is all key-free readers need. */
export const SEALED_VALUE = '(encrypted)';

const sealedSchema = z.object({
  /** Per table, per column: the default and generation expressions. */
  columns: z.array(z.array(z.tuple([z.string().nullable(), z.string().nullable()]))),
  sequences: z.array(z.string()),
});

/**
 * An encrypted export's manifest stays readable without the key (names, types, counts and
 * checksums: `verify --level checksums` needs no key), but the values in it that may come from
 * the data (column defaults and generation expressions, which can hold literals, and sequences'
 * last values) are moved into `sealed`, encrypted under the export's data key and bound to the
 * manifest's object key; placeholders stay in their place.
 */
export function sealManifest(manifest: Manifest, cipher: ObjectCipher, manifestKey: string): Manifest {
  const sealed = {
    columns: manifest.tables.map((t) => t.columns.map((c) => [c.default, c.generated] as const)),
    sequences: manifest.sequences.map((s) => s.lastValue),
  };
  const hide = (value: string | null) => (value === null ? null : SEALED_VALUE);
  return {
    ...manifest,
    tables: manifest.tables.map((t) => ({ ...t, columns: t.columns.map((c) => ({ ...c, default: hide(c.default), generated: hide(c.generated) })) })),
    sequences: manifest.sequences.map((s) => ({ ...s, lastValue: SEALED_VALUE })),
    sealed: cipher.seal(`${manifestKey}#sealed`, Buffer.from(JSON.stringify(sealed))).toString('base64'),
  };
}

/** The manifest as written, its sealed values back in place (DECRYPTION_FAILED if they do not open). */
export function unsealManifest(manifest: Manifest, cipher: ObjectCipher, manifestKey: string): Manifest {
  if (manifest.sealed === undefined) return manifest;
  const sealed = sealedSchema.parse(JSON.parse(cipher.open(`${manifestKey}#sealed`, Buffer.from(manifest.sealed, 'base64')).toString('utf8')));
  return {
    ...manifest,
    tables: manifest.tables.map((t, i) => ({
      ...t,
      columns: t.columns.map((c, j) => {
        const [def, generated] = sealed.columns[i]?.[j] ?? [c.default, c.generated];
        return { ...c, default: def, generated };
      }),
    })),
    sequences: manifest.sequences.map((s, i) => ({ ...s, lastValue: sealed.sequences[i] ?? s.lastValue })),
  };
}
