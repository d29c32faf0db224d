import { Context } from '@temporalio/activity';
import { getExport, listFiles } from '../../catalog/exports-repo';
import type { ExportRecord } from '../../catalog/export-records';
import { forgetVerifiedObject, listVerifiedObjects, rememberVerifiedObject, saveResults, type VerifiedObject } from '../../catalog/verification-repo';
import { RestorepointError } from '../../core/errors';
import type { TableVerdict } from '../../core/verification/table-verdict';
import { ByteRateLimit } from '../../streams/byte-rate-limit';
import { summarizeResults, type VerificationReport } from '../../core/verification/verification-report';
import type { VerificationLevel } from '../../core/verification/verification-level';
import { keyProviderOf, type ActivityDeps } from '../deps';
import { cipherOf, getExportKey, type ExportKeyRecord } from '../../crypto/export-keys';
import { checkObject, trustedSha256 } from './check-object';
import { expectedObjects, type ExpectedObject } from './expected-objects';
import { objectNames } from '../../core/object-names';
import type { ObjectVerdict } from '../../core/verification/object-verdict';
import type { ObjectStore } from '../../storage/object-store';
import { keepHeartbeating } from './keep-heartbeating';
import { mapLimited } from './map-limited';
import { partDecodings } from './part-decoder';
import { readManifest } from './read-manifest';
import type { VerifiableManifest } from './verifiable-manifest';

export interface VerifyObjectsInput {
  readonly runId: string;
  readonly exportId: string;
  readonly level: VerificationLevel;
  readonly incremental: boolean;
  /** Most bytes read from the store per second, across the parallel reads. */
  readonly maxBytesPerSecond?: number;
}

/** Objects read back at once: reading is I/O-bound, and a verification should not starve exports. */
const PARALLEL_READS = 4;

/**
 * The checksums and decode levels (and the first half of restore): reads the manifest and
 * every object back, writes every verdict to the run's catalog row and returns the interim
 * report. Idempotent: a retry reads everything again and replaces what an attempt wrote.
 */
export function createVerifyObjectsActivity(deps: ActivityDeps) {
  return async function verifyExportObjects(input: VerifyObjectsInput): Promise<VerificationReport> {
    const record = await finishedExport(deps, input.exportId);
    const store = deps.openStore(record.destination);
    const keyRecord = await refuseShredded(deps, input.exportId);
    const read = await readManifest(store, record);
    const { manifest } = read;
    let manifestVerdict = read.verdict;
    // Checksums need no key; decoding an encrypted export does, and proves its manifest's MAC.
    const cipher = input.level !== 'checksums' && manifest?.encrypted ? await cipherOf(deps.catalog, keyProviderOf(deps), input.exportId) : undefined;
    if (cipher && read.bytes && manifestVerdict.status === 'ok' && !(keyRecord?.manifestMac && cipher.manifestMacMatches(read.bytes, keyRecord.manifestMac))) {
      manifestVerdict = { key: record.manifestKey, kind: 'manifest', status: 'decode error', message: "not authenticated by the export's data key: edited and re-hashed" };
    }
    const { objects, disagreements } = expectedObjects(await listFiles(deps.catalog, input.exportId), manifest);
    const objectLevel = input.level === 'checksums' ? 'checksums' : 'decode';
    const decodingOf = manifest ? partDecodings(manifest) : undefined;
    const prior = input.incremental && input.level !== 'restore' ? recentReads(await listVerifiedObjects(deps.catalog, input.exportId), deps) : new Map();

    const rateLimit = input.maxBytesPerSecond ? new ByteRateLimit(input.maxBytesPerSecond) : undefined;
    let done = 0;
    const progress = () => ({ objects: done, of: objects.length });
    const verdicts = await keepHeartbeating(progress, () => mapLimited(objects, PARALLEL_READS, async (object) => {
      const decode = objectLevel === 'decode' && object.kind === 'part' && object.table && decodingOf ? decodingOf(object.table) : undefined;
      const { verdict, stat } = await checkObject(store, object, { decode, prior: prior.get(object.key), level: objectLevel, cipher, rateLimit });
      if (verdict.status === 'ok' && stat) {
        await rememberVerifiedObject(deps.catalog, {
          exportId: input.exportId,
          objectKey: object.key,
          level: decode || object.kind === 'ddl' ? objectLevel : 'checksums',
          size: stat.size,
          generation: stat.generation ?? null,
          updated: stat.updated ?? null,
          crc32c: stat.crc32cBase64 ?? null,
          md5: stat.md5Base64 ?? null,
          expectedSha256: trustedSha256(object),
          runId: input.runId,
        });
      } else if (verdict.status !== 'unchanged') {
        await forgetVerifiedObject(deps.catalog, input.exportId, object.key);
      }
      done += 1;
      Context.current().heartbeat(progress());
      return verdict;
    }));

    const unlisted = await unlistedObjects(store, input.exportId, objects);
    const results = { objects: [manifestVerdict, ...disagreements, ...unlisted, ...verdicts], tables: manifest ? tableTotalMismatches(manifest) : [] };
    await saveResults(deps.catalog, input.runId, results);
    return summarizeResults(input, results);
  };
}

/** The store's side of the three-way check: objects in the export's data folder that no record lists. */
async function unlistedObjects(store: ObjectStore, exportId: string, expected: readonly ExpectedObject[]): Promise<ObjectVerdict[]> {
  const listed = new Set(expected.map((o) => o.key));
  const found: ObjectVerdict[] = [];
  for await (const object of store.list(`${objectNames.exportRoot(exportId)}/data/`)) {
    if (!listed.has(object.key)) found.push({ key: object.key, kind: 'part', status: 'unlisted' });
  }
  return found;
}

/** Prior reads young enough to be trusted (config `verification.rereadAfterHours`); older objects are read again. */
function recentReads(prior: ReadonlyMap<string, VerifiedObject>, deps: ActivityDeps): Map<string, VerifiedObject> {
  const oldest = deps.clock().getTime() - deps.config.verification.rereadAfterHours * 3_600_000;
  return new Map([...prior].filter(([, read]) => read.verifiedAt.getTime() > oldest));
}

/** A crypto-shredded export is never verified again, at any level: KEY_DESTROYED. */
async function refuseShredded(deps: ActivityDeps, exportId: string): Promise<ExportKeyRecord | undefined> {
  const keyRecord = await getExportKey(deps.catalog, exportId);
  if (keyRecord?.destroyedAt) {
    throw new RestorepointError('KEY_DESTROYED', `export ${exportId} was crypto-shredded on ${keyRecord.destroyedAt.toISOString()}: there is nothing left to verify`, { exportId });
  }
  return keyRecord;
}

/** A verification reads only exports that finished: a running or failed one has no manifest to prove. */
export async function finishedExport(deps: ActivityDeps, exportId: string): Promise<ExportRecord & { manifestKey: string; manifestSha256: string }> {
  const record = await getExport(deps.catalog, exportId);
  if (!record) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`, { exportId });
  if (record.status !== 'succeeded' || !record.manifestKey || !record.manifestSha256) {
    throw new RestorepointError('EXPORT_NOT_FOUND', `export "${exportId}" is ${record.status}, not a finished export`, { exportId, status: record.status });
  }
  return { ...record, manifestKey: record.manifestKey, manifestSha256: record.manifestSha256 };
}

/** A table whose recorded row total differs from the sum of its parts' rows. */
function tableTotalMismatches(manifest: VerifiableManifest): TableVerdict[] {
  return manifest.tables.flatMap((t) => {
    const inParts = t.parts.reduce((sum, p) => sum + p.rows, 0);
    return inParts === t.rows ? [] : [{ table: t.name, status: 'row-count mismatch', stage: 'manifest', expected: t.rows, actual: inParts } as const];
  });
}
