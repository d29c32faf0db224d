import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { asTypedDatabaseError } from '../../core/errors';
import { exportInputSchema, type ExportRequest } from '../../core/export-input';
import { describeScope } from '../../core/export-scope';
import { MANIFEST_VERSION, type Manifest, type ManifestPart, type ManifestTable, type TableFingerprint } from '../../core/manifest';
import { addFingerprints, type RowsFingerprint } from '../../streams/row-fingerprint';
import { objectNames } from '../../core/object-names';
import { describeColumnsOf, describeForeignKeysOf, describePrimaryKeysOf, estimateTableSizes, listMaterializedViews, listSequences, sourceIdentity, type TableRef } from '../../postgres/introspect';
import { resolveExportScope } from '../../postgres/export-scope';
import { checkSchemaDumpable } from '../../postgres/dump-preflight';
import type { PageRange } from '../../postgres/copy-statements';
import { openConnection } from '../../postgres/connect';
import { joinSharedSnapshot, lockTables } from '../../postgres/snapshot';
import { tableUnchangedSince } from '../../postgres/table-unchanged';
import { keyProviderOf, resolveSource, type ActivityDeps } from '../deps';
import { ENCRYPTION_SCHEME } from '../../crypto/chunked-aead';
import { cipherForNewExport, getExportKey, recordManifestMac } from '../../crypto/export-keys';
import { sealManifest } from '../../crypto/manifest-seal';
import { recordParts } from './part-catalog';
import { ByteRateLimit } from '../../streams/byte-rate-limit';
import { newestCheckpoint, storedCheckpoint } from './stored-checkpoint';
import { ProgressReporter } from './progress-reporter';
import { acquireSnapshot, keepSnapshotForRetry, releaseSnapshot } from './snapshot-registry';
import { storeDdl } from './store-ddl';
import { exportTable, ResumedPrefixChanged } from './table-export';
import { exportLargeObjects } from './large-objects-export';
import { parquetManifestMapping } from './parquet-table-export';
import { toolVersion } from '../../core/tool-version';
import { finishedExportResult } from './finished-export';
import { sha256Hex } from '../../streams/sha256';
import { anchorLedger } from '../../catalog/ledger';
import { csvRowMasker } from '../../streams/csv-mask';
import { loadMasking, manifestMasking, planMasking } from './masking';
import { RANGE_PART_STRIDE, rangeCheckpointFolder } from './export-range';
import { awaitRangeActivities, type RangeActivityPlan } from './range-activities';

/** What a retried attempt needs to resume: the snapshot it read and each table's stored parts. */
export interface ExportCheckpoint {
  readonly snapshotId: string;
  readonly txidSnapshot: string;
  readonly tables: Readonly<Record<string, { readonly parts: readonly ManifestPart[]; readonly complete: boolean }>>;
}

/** Only names, counts and checksums: this goes back into workflow history. */
export interface ExportDataResult {
  readonly manifestKey: string;
  readonly manifestSha256: string;
  readonly tables: number;
  readonly rows: number;
  readonly bytes: number;
  readonly parts: number;
  readonly txidSnapshot: string;
}

interface PlannedTable {
  readonly ref: TableRef;
  readonly key: string;
  readonly description: Omit<ManifestTable, 'rows' | 'bytes' | 'parts'>;
  readonly estimatedRows: number;
  /** The main fork's size on disk and its pages, when the plan was made (the relation may only grow while the snapshot is held). */
  readonly bytes: number;
  readonly pages: number;
}

/** Large objects are no table: their progress is counted under this name. */
const LARGE_OBJECTS_PROGRESS_KEY = 'large objects';

/** One reader's work: a whole table, or one ctid page range of a table read in ranges. */
interface ExportUnit {
  readonly table: PlannedTable;
  /**
   * The checkpoint's key: the table's, or with the range's index and pages, so a retry under
   * another snapshot resumes a range only if it cut the table the same way.
   */
  readonly key: string;
  readonly range?: { readonly index: number; readonly pages: PageRange };
  readonly estimatedRows: number;
}

/**
 * A plain table of at least `split.minBytes` becomes `split.ranges` page ranges of about equal
 * size (the last one open-ended), which readers take like tables, all under the one snapshot:
 * one large table is then read by several connections at once. Parquet (DuckDB writes those
 * parts) and partitioned roots (no pages of their own) stay whole.
 */
function exportUnits(table: PlannedTable, split: { readonly minBytes: number; readonly ranges: number }, format: ExportRequest['format']): ExportUnit[] {
  const ranges = Math.min(split.ranges, table.pages);
  if (format === 'parquet' || table.ref.kind !== 'table' || ranges < 2 || table.bytes < split.minBytes) return [{ table, key: table.key, estimatedRows: table.estimatedRows }];
  return Array.from({ length: ranges }, (_, index) => {
    const pages: PageRange = { from: Math.floor((index * table.pages) / ranges), to: index === ranges - 1 ? null : Math.floor(((index + 1) * table.pages) / ranges) };
    return { table, key: `${table.key}#range-${index}:${pages.from}-${pages.to ?? 'end'}`, range: { index, pages }, estimatedRows: table.estimatedRows / ranges };
  });
}

export function createExportDataActivity(deps: ActivityDeps) {
  /**
   * Streams every selected table of one source, all in one snapshot, into parts in the
   * destination, then writes the manifest. Heartbeats carry a checkpoint: a retry resumes
   * after the last finished part (same snapshot) or keeps tables proven unchanged (new one).
   */
  return async function exportData(request: ExportRequest): Promise<ExportDataResult> {
    const input = exportInputSchema.parse(request);
    const finished = await finishedExportResult(deps, input.exportId);
    if (finished) return finished;
    const startedAt = deps.clock();
    const source = resolveSource(deps.config, input.source);
    const store = deps.openStore(input.destination);
    const cipher = input.encrypt ? await cipherForNewExport(deps.catalog, keyProviderOf(deps), input.exportId) : undefined;
    const stored = storedCheckpoint(store, input.exportId, cipher);
    const prior = newestCheckpoint(Context.current().info.heartbeatDetails as ExportCheckpoint | undefined, await stored.read());
    const held = await acquireSnapshot(input.exportId, source.url);
    const { snapshot, leader } = held;
    const sameSnapshot = prior?.snapshotId === snapshot.id;
    const done: Record<string, { parts: readonly ManifestPart[]; complete: boolean }> = {};
    const checkpoint = (): ExportCheckpoint => ({ snapshotId: snapshot.id, txidSnapshot: snapshot.txidSnapshot, tables: { ...done } });
    const progress = new ProgressReporter(checkpoint);
    const readers: pg.Client[] = [];
    // The snapshot leader holds one connection (pg_dump's ran and closed before the readers open); readers get the rest.
    const maxConnections = Math.min(source.maxConnections, input.maxConnections ?? source.maxConnections);
    try {
      // The scope is checked again here (the client checked it before starting): a schedule or script may not have.
      const scope = await resolveExportScope(leader, input);
      const planned = await planTables(leader, scope.tables);
      const masking = input.mask ? loadMasking(deps.config, input.mask) : undefined;
      const masks = masking ? planMasking(masking, input, planned.map((t) => t.description)) : undefined;
      await lockTables(leader, planned.map((t) => t.ref));
      for (const table of planned) progress.track(table.key, table.estimatedRows);
      progress.setScope(describeScope(input));
      // Before pg_dump runs: a refusal it would meet arrives here with its SQLSTATE.
      await checkSchemaDumpable(leader, scope);
      // The leader's queries go one after another (a pg client runs one at a time anyway, and
      // queueing them on it is deprecated); the DDL dumps run beside them on their own connections.
      const leaderFacts = async () => ({
        identity: await sourceIdentity(leader),
        sequences: await listSequences(leader, scope.schemas),
        materializedViews: await listMaterializedViews(leader, scope.schemas),
      });
      const [{ identity, sequences, materializedViews }, ddl] = await Promise.all([
        leaderFacts(),
        // Two pg_dumps at once only when the leader and both fit within maxConnections.
        storeDdl(store, source.url, input.exportId, scope, snapshot.id, maxConnections >= 3, cipher),
      ]);
      progress.setStage('copying');

      const bytesPerSecond = input.maxBytesPerSecond ?? deps.config.export.maxBytesPerSecond;
      const rateLimit = bytesPerSecond ? new ByteRateLimit(bytesPerSecond) : undefined;
      async function openReader(): Promise<pg.Client> {
        const reader = await openConnection(source.url, 'restorepoint-export');
        readers.push(reader);
        await joinSharedSnapshot(reader, snapshot.id);
        return reader;
      }

      const split = input.split ?? deps.config.export.split;
      const units = planned.flatMap((table) => exportUnits(table, split, input.format)).sort((a, b) => b.estimatedRows - a.estimatedRows);
      // Ranges as activities any worker takes, when the workflow schedules them (it says so) and the
      // split asks for it; a masked table's ranges stay here (the masks are this worker's config).
      const acrossWorkers = input.rangeActivities === true && (input.split?.acrossWorkers ?? deps.config.export.split.acrossWorkers);
      const remote = acrossWorkers ? units.filter((u) => u.range && !masks?.get(u.table.key)?.masks.some(Boolean)) : [];
      const remoteTables = new Set(remote.map((u) => u.table.key));
      const local = units.filter((u) => !remoteTables.has(u.table.key));
      const readerCount = Math.min(local.length, Math.max(1, Math.min(input.concurrency ?? deps.config.export.concurrency, maxConnections - 1)));
      const unitParts = new Map<string, ManifestPart[]>();
      const unitsLeft = new Map(planned.map((t) => [t.key, local.filter((u) => u.table === t).length]));
      const results = new Map<string, ManifestPart[]>();
      const queue = [...local];
      const partSizeBytes = input.partSizeBytes ?? deps.config.export.partSizeBytes;
      const rangePlan: RangeActivityPlan | undefined =
        remote.length > 0
          ? {
              snapshotId: snapshot.id,
              txidSnapshot: snapshot.txidSnapshot,
              systemIdentifier: identity.systemIdentifier,
              database: identity.database,
              partSizeBytes,
              ...(bytesPerSecond ? { maxBytesPerSecond: Math.max(1024, Math.floor(bytesPerSecond / remote.length)) } : {}),
              ranges: remote.map((u) => ({
                key: u.key,
                table: u.table.key,
                ref: u.table.ref,
                index: u.range!.index,
                pages: u.range!.pages,
                columns: u.table.description.columns.filter((c) => c.generated === null).map((c) => c.name),
                jsonlText: u.table.description.columns.filter((c) => c.jsonlText).map((c) => c.name),
              })),
            }
          : undefined;
      const remoteDone = rangePlan
        ? awaitRangeActivities(rangePlan, { leader, heartbeat: () => progress.beat() }).then(async (byTable) => {
            for (const table of planned.filter((t) => remoteTables.has(t.key))) results.set(table.key, await finishTable(table, byTable.get(table.key) ?? []));
          })
        : Promise.resolve();
      // Its failure surfaces through the Promise.all below; this keeps it from going unhandled while the readers run.
      remoteDone.catch(() => undefined);
      await Promise.all([
        remoteDone,
        ...Array.from({ length: readerCount }, async () => {
          let reader = await openReader();
          for (let unit = queue.shift(); unit; unit = queue.shift()) {
            try {
              unitParts.set(unit.key, await exportOneUnit(reader, unit, true));
            } catch (error) {
              if (!(error instanceof ResumedPrefixChanged)) throw error;
              // The COPY was left mid-stream: this connection is spent. Start the unit over on a new one.
              readers.splice(readers.indexOf(reader), 1);
              await reader.end().catch(() => undefined);
              reader = await openReader();
              unitParts.set(unit.key, await exportOneUnit(reader, unit, false));
            }
            const left = unitsLeft.get(unit.table.key)! - 1;
            unitsLeft.set(unit.table.key, left);
            if (left === 0) results.set(unit.table.key, await finishTable(unit.table, unitPartsInOrder(unit.table)));
          }
        }),
      ]);

      /**
       * `resume`: keep what an earlier attempt stored. Same snapshot: its parts, then the rest.
       * Another snapshot: a finished whole table unchanged since, as it is; an unfinished table's
       * parts, or a page range's, if this snapshot's first rows fingerprint the same (else
       * ResumedPrefixChanged).
       */
      async function exportOneUnit(reader: pg.Client, unit: ExportUnit, resume: boolean): Promise<ManifestPart[]> {
        const { table } = unit;
        const earlier = resume ? prior?.tables[unit.key] : undefined;
        const earlierRows = earlier?.parts.reduce((sum, p) => sum + p.rows, 0) ?? 0;
        let reuse: readonly ManifestPart[] = [];
        let verifyReuse = false;
        if (earlier && sameSnapshot) reuse = earlier.parts;
        else if (!unit.range && earlier?.complete && prior && (await tableUnchangedSince(reader, table.ref, prior.txidSnapshot, earlierRows))) reuse = earlier.parts;
        else if (earlier && (unit.range || !earlier.complete) && earlier.parts.length > 0 && earlier.parts.every((p) => p.fingerprint)) {
          reuse = earlier.parts;
          verifyReuse = true;
        }
        done[unit.key] = { parts: reuse, complete: false };
        const complete = Boolean(earlier?.complete && reuse.length > 0 && !verifyReuse);
        const range = unit.range;
        const parts = complete
          ? [...reuse]
          : await exportTable(
              reader,
              store,
              {
                table: table.ref,
                // Generated columns are described in the manifest but never exported as data.
                columns: table.description.columns.filter((c) => c.generated === null).map((c) => c.name),
                jsonlText: table.description.columns.filter((c) => c.jsonlText).map((c) => c.name),
                format: input.format,
                ...(range ? { pages: range.pages } : {}),
                compression: input.compression,
                zstdLevel: deps.config.export.zstdLevel,
                partSizeBytes,
                partKey: (partNo) =>
                  range
                    ? objectNames.rangePart(input.exportId, table.ref.schema, table.ref.name, range.index, partNo, input.format, input.compression)
                    : objectNames.part(input.exportId, table.ref.schema, table.ref.name, partNo, input.format, input.compression),
                finishedParts: reuse,
                verifyFinishedParts: verifyReuse,
                ...(masks?.get(table.key)?.masks.some(Boolean) ? { mask: csvRowMasker(masks.get(table.key)!.masks) } : {}),
                cipher,
              },
              {
                onProgress: (rows, bytes) => {
                  progress.add(table.key, rows, bytes);
                  return rateLimit?.take(bytes);
                },
                onPart: async (part) => {
                  done[unit.key] = { parts: [...(done[unit.key]?.parts ?? []), part], complete: false };
                  // Until finishTable numbers the table's parts through, a range's part is recorded under a
                  // number of its own (the catalog holds one object per table and number).
                  await recordParts(deps.catalog, input.exportId, table.key, [range ? { ...part, partNo: range.index * RANGE_PART_STRIDE + part.partNo } : part]);
                  // Beside the data too: a worker that dies keeps its finished parts (stored-checkpoint.ts).
                  await stored.write(checkpoint());
                },
              },
            );
        done[unit.key] = { parts, complete: true };
        await stored.write(checkpoint());
        return parts;
      }

      /** The parts each of a table's units read here, in range order. */
      function unitPartsInOrder(table: PlannedTable): ManifestPart[][] {
        return units.filter((u) => u.table === table).sort((a, b) => (a.range?.index ?? 0) - (b.range?.index ?? 0)).map((u) => unitParts.get(u.key) ?? []);
      }

      /** Once its last unit is stored: the table's parts in range order, numbered through, and nothing else in its folder. */
      async function finishTable(table: PlannedTable, inRangeOrder: readonly (readonly ManifestPart[])[]): Promise<ManifestPart[]> {
        const parts = inRangeOrder.flat().map((part, partNo) => ({ ...part, partNo }));
        await recordParts(deps.catalog, input.exportId, table.key, parts, { replaceTable: true });
        await removeStaleParts(table, parts);
        progress.finishTable(table.key, parts.reduce((s, p) => s + p.rows, 0), parts.reduce((s, p) => s + p.bytes, 0));
        return parts;
      }

      /** Objects an earlier attempt wrote past this attempt's last part (a new snapshot can have fewer). */
      async function removeStaleParts(table: PlannedTable, parts: readonly ManifestPart[]): Promise<void> {
        const keep = new Set(parts.map((p) => p.key));
        const prefix = objectNames.tableFolder(input.exportId, table.ref.schema, table.ref.name);
        for await (const object of store.list(prefix)) if (!keep.has(object.key)) await store.delete(object.key);
      }

      // pg_dump -n leaves large objects out (they belong to no schema): so does a narrowed export, and a
      // masked one (partial too), whose masks cannot reach inside an object.
      const largeObjects = scope.partial ? undefined : await exportAllLargeObjects();
      async function exportAllLargeObjects() {
        const found = await exportLargeObjects(await openReader(), store, {
          exportId: input.exportId,
          compression: input.compression,
          zstdLevel: deps.config.export.zstdLevel,
          partSizeBytes: input.partSizeBytes ?? deps.config.export.partSizeBytes,
          cipher,
          onProgress: (rows, bytes) => {
            // Shown (and heartbeaten) as one more table, from the first object on.
            if (!progress.has(LARGE_OBJECTS_PROGRESS_KEY)) progress.track(LARGE_OBJECTS_PROGRESS_KEY, 0);
            progress.add(LARGE_OBJECTS_PROGRESS_KEY, rows, bytes);
          },
        });
        // A retry under another snapshot may find fewer: nothing an earlier attempt stored stays beside them.
        const keep = new Set(found?.parts.map((p) => p.key) ?? []);
        for await (const object of store.list(objectNames.largeObjectsFolder(input.exportId))) if (!keep.has(object.key)) await store.delete(object.key);
        if (found) progress.finishTable(LARGE_OBJECTS_PROGRESS_KEY, found.objects, found.bytes);
        return found;
      }

      progress.setStage('writing-manifest');
      const tables: ManifestTable[] = planned.map((table) => {
        const parts = results.get(table.key) ?? [];
        const rows = parts.reduce((s, p) => s + p.rows, 0);
        return { ...table.description, rows, bytes: parts.reduce((s, p) => s + p.bytes, 0), parts, fingerprint: tableFingerprint(input.format, parts) };
      });
      const ledger = await anchorLedger(deps.catalog, store, { actor: input.requestedBy, reason: `export ${input.exportId}` });
      const finishedAt = deps.clock();
      const manifest: Manifest = {
        version: MANIFEST_VERSION,
        exportId: input.exportId,
        mode: 'full',
        createdAt: finishedAt.toISOString(),
        tool: { name: 'restorepoint', version: toolVersion },
        source: { name: input.source, ...identity },
        snapshot: { txidSnapshot: snapshot.txidSnapshot, lsn: snapshot.lsn, takenAt: snapshot.takenAt },
        format: input.format,
        compression: input.compression,
        encryption: cipher ? { scheme: ENCRYPTION_SCHEME, keyId: (await getExportKey(deps.catalog, input.exportId))!.keyId } : null,
        tags: input.tags,
        scope: { partial: scope.partial, schemas: [...scope.schemas], tables: input.tables, exclude: input.exclude },
        ddl,
        tables,
        // Parquet only: the writer and the type mapping each table was written with.
        ...(input.format === 'parquet' ? { parquet: parquetManifestMapping(tables) } : {}),
        sequences,
        ...(ledger ? { ledger } : {}),
        ...(masking && masks ? { masking: manifestMasking(masking, Object.fromEntries([...masks].filter(([, m]) => Object.keys(m.applied).length > 0).map(([key, m]) => [key, m.applied]))) } : {}),
        materializedViews,
        ...(largeObjects ? { largeObjects } : {}),
        timings: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime() },
      };
      const manifestKey = objectNames.manifest(input.exportId);
      const manifestBytes = Buffer.from(JSON.stringify(cipher ? sealManifest(manifest, cipher, manifestKey) : manifest, null, 1));
      // The manifest stays readable without the key (it holds names, types and checksums, no row
      // value), so `verify --level checksums` needs none; its MAC under the data key, kept in the
      // catalog, refuses one edited and re-hashed by someone without the key.
      if (cipher) await recordManifestMac(deps.catalog, input.exportId, cipher.manifestMac(manifestBytes));
      await store.putBytes(manifestKey, manifestBytes, { contentType: 'application/json' });
      await stored.remove();
      for await (const object of store.list(rangeCheckpointFolder(input.exportId))) await store.delete(object.key);
      progress.setStage('finished');
      await releaseSnapshot(input.exportId);
      return {
        manifestKey,
        manifestSha256: sha256Hex(manifestBytes),
        tables: tables.length,
        rows: tables.reduce((s, t) => s + t.rows, 0),
        bytes: tables.reduce((s, t) => s + t.bytes, 0),
        parts: tables.reduce((s, t) => s + t.parts.length, 0),
        txidSnapshot: snapshot.txidSnapshot,
      };
    } catch (error) {
      // Cancelled (a range failed for good, or the workflow ended): no retry will come to rejoin it.
      if (Context.current().cancellationSignal.aborted) await releaseSnapshot(input.exportId);
      else keepSnapshotForRetry(input.exportId);
      throw asTypedDatabaseError(error, 'EXPORT_FAILED', `export ${input.exportId} of ${input.source}`);
    } finally {
      await Promise.all(readers.map((r) => r.end().catch(() => undefined)));
    }
  };
}

async function planTables(leader: pg.Client, selected: readonly TableRef[]): Promise<PlannedTable[]> {
  // Four catalog queries for all tables together: four a table, each a round trip, were most of a many-table export's planning.
  const estimates = await estimateTableSizes(leader, selected);
  const columns = await describeColumnsOf(leader, selected);
  const primaryKeys = await describePrimaryKeysOf(leader, selected);
  const foreignKeys = await describeForeignKeysOf(leader, selected);
  const planned: PlannedTable[] = selected.map((ref, i) => ({
    ref,
    key: `${ref.schema}.${ref.name}`,
    estimatedRows: estimates[i]!.rows,
    bytes: estimates[i]!.bytes,
    pages: estimates[i]!.pages,
    description: { schema: ref.schema, name: ref.name, kind: ref.kind, columns: columns[i]!, primaryKey: primaryKeys[i]!, foreignKeys: foreignKeys[i]! },
  }));
  // Largest first, so the last table to finish is a small one and readers stay busy.
  return planned.sort((a, b) => b.estimatedRows - a.estimatedRows);
}

/** The table's fingerprint from its parts'; none when a part has none (Parquet, older attempts). */
function tableFingerprint(format: ExportRequest['format'], parts: readonly ManifestPart[]): TableFingerprint | undefined {
  if (format !== 'csv' && format !== 'jsonl') return undefined;
  const fingerprints = parts.map((p) => p.fingerprint);
  if (fingerprints.some((f) => f === undefined)) return undefined;
  return { algorithm: 'fnv1a-fmix32x2-sum64', over: format, ...addFingerprints(fingerprints as RowsFingerprint[]) };
}
