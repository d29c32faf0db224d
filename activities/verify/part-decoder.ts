import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import type { Compression } from '../../core/export-input';
import type { ParquetColumn } from '../../core/manifest';
import type { ObjectCipher } from '../../crypto/object-cipher';
import { createDecompressor } from '../../streams/compression';
import type { RowsFingerprint } from '../../streams/row-fingerprint';
import { decodeParquetPart, parquetRestoreMapping } from '../restore/parquet-load-part';
import { PartParser } from './part-parser';
import type { VerifiableManifest } from './verifiable-manifest';

/**
 * How the decode level reads one part. Text parts are decompressed and parsed as they
 * stream; a Parquet part is read back by DuckDB, which reads files, not streams, so it is
 * spooled to a local file while it is hashed. `columns` is the mapping to read it with, or
 * why there is none this version reads (the part is then a decode error, not a crash).
 */
export type PartDecoding =
  | { readonly format: 'csv' | 'jsonl'; readonly compression: Compression; readonly fields: number }
  | { readonly format: 'parquet'; readonly columns: readonly ParquetColumn[] | { readonly unsupported: string } };

/** What decoding a part found: its rows, the text formats' fingerprint, and the first thing wrong, if any. */
export interface DecodedPart {
  readonly rows: number;
  readonly fingerprint?: RowsFingerprint;
  readonly error?: string;
}

export interface PartDecoder {
  /** The stages the part's bytes pass after they are hashed; the last one is the sink. */
  readonly stages: readonly [...Duplex[], Writable];
  /** True when the stages parse the bytes, so a stream error is the data's fault, not the disk's. */
  readonly parsesWhileReading: boolean;
  result(): Promise<DecodedPart>;
  dispose(): Promise<void>;
}

/** The decoding of every part of `manifest`, by the table name verification gives it. */
export function partDecodings(manifest: VerifiableManifest): (table: { readonly name: string; readonly columns: number }) => PartDecoding {
  const { format, full } = manifest;
  if (format !== 'parquet') return (table) => ({ format, compression: manifest.compression, fields: table.columns });
  const byName = new Map(full?.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  return (table) => {
    const described = byName.get(table.name);
    if (!full || !described) return { format: 'parquet', columns: { unsupported: `${table.name}: the manifest does not describe this table` } };
    try {
      return { format: 'parquet', columns: parquetRestoreMapping(full.parquet, described) };
    } catch (error) {
      return { format: 'parquet', columns: { unsupported: (error as Error).message } };
    }
  };
}

/** `cipher`: the export's data key, when its objects are encrypted; decryption is the first stage. */
export async function openPartDecoder(key: string, decoding: PartDecoding, cipher?: ObjectCipher): Promise<PartDecoder> {
  const decrypt = cipher ? [cipher.decryptor(key)] : [];
  if (decoding.format !== 'parquet') {
    const parser = new PartParser(decoding.format, decoding.fields);
    return { stages: [...decrypt, createDecompressor(decoding.compression), parser], parsesWhileReading: true, result: async () => parser.result(), dispose: async () => undefined };
  }
  const workDir = await mkdtemp(path.join(tmpdir(), 'restorepoint-verify-parquet-'));
  const parquetPath = path.join(workDir, 'part.parquet');
  const { columns } = decoding;
  return {
    stages: [...decrypt, createWriteStream(parquetPath)],
    parsesWhileReading: false,
    async result() {
      if ('unsupported' in columns) return { rows: 0, error: columns.unsupported };
      try {
        // Every value goes through the restore mapping, as a restore would read it; the CSV is thrown away.
        return { rows: await decodeParquetPart(key, parquetPath, path.join(workDir, 'part.csv'), columns) };
      } catch (error) {
        return { rows: 0, error: (error as Error).message.split('\n')[0] };
      }
    },
    dispose: () => rm(workDir, { recursive: true, force: true }),
  };
}
