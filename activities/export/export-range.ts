import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { asTypedDatabaseError, RestorepointError } from '../../core/errors';
import type { ExportRangeInput } from '../../core/export-ranges';
import type { ManifestPart } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { cipherOf } from '../../crypto/export-keys';
import { openConnection } from '../../postgres/connect';
import { sourceIdentity } from '../../postgres/introspect';
import { joinSharedSnapshot } from '../../postgres/snapshot';
import { sha256Hex } from '../../streams/sha256';
import { keyProviderOf, resolveSource, type ActivityDeps } from '../deps';
import type { ExportCheckpoint } from './export-data';
import { recordParts } from './part-catalog';
import { ByteRateLimit } from '../../streams/byte-rate-limit';
import { newestCheckpoint, storedCheckpoint } from './stored-checkpoint';
import { exportTable, ResumedPrefixChanged } from './table-export';

/** Parts a page range may have before its provisional catalog numbers would meet the next range's (as export-data's). */
export const RANGE_PART_STRIDE = 100_000;
const HEARTBEAT_EVERY_MS = 1000;

/** Where a range keeps its checkpoint beside the data: the holder removes the folder once the manifest is written. */
export const rangeCheckpointFolder = (exportId: string) => `${exportId}/range-checkpoints/`;
const rangeCheckpointName = (unitKey: string) => `range-checkpoints/${sha256Hex(Buffer.from(unitKey)).slice(0, 32)}.json`;

/**
 * One ctid page range of a split table, read by whichever worker takes it, under the snapshot
 * its export's data activity (the holder) exported and keeps open (core/export-ranges.ts).
 * - It joins that snapshot or fails SNAPSHOT_GONE: it never reads under a snapshot of its own,
 *   so a table is never stitched together from two instants.
 * - Its parts are named by the range index, so a retry writes the same keys; each finished part
 *   goes into the heartbeat and a checkpoint object, and a retry keeps them: as they are under
 *   the same snapshot, or when the range's first rows fingerprint the same under a new one.
 * - Cancelled (its plan was replaced), it closes its connection, which ends the COPY at once.
 */
export function createExportRangeActivity(deps: ActivityDeps) {
  return async function exportRange(input: ExportRangeInput): Promise<ManifestPart[]> {
    const { plan, unit } = input;
    const context = Context.current();
    const source = resolveSource(deps.config, input.source);
    const store = deps.openStore(input.destination);
    const cipher = input.encrypt ? await cipherOf(deps.catalog, keyProviderOf(deps), input.exportId) : undefined;
    const stored = storedCheckpoint(store, input.exportId, cipher, rangeCheckpointName(unit.key));
    const newest = newestCheckpoint(context.info.heartbeatDetails as ExportCheckpoint | undefined, await stored.read());
    const prior = newest?.tables[unit.key];
    const sameSnapshot = newest?.snapshotId === plan.snapshotId;
    let parts: readonly ManifestPart[] = prior?.parts ?? [];
    const checkpoint = (complete: boolean): ExportCheckpoint => ({ snapshotId: plan.snapshotId, txidSnapshot: plan.txidSnapshot, tables: { [unit.key]: { parts, complete } } });
    if (prior?.complete && sameSnapshot) return [...prior.parts];

    let reader: pg.Client | undefined;
    const cancelled = context.cancelled.catch((reason: unknown) => {
      // Closing the connection fails the COPY in flight: the part being written is abandoned, never stored.
      void reader?.end().catch(() => undefined);
      throw reason;
    });
    cancelled.catch(() => undefined);
    let lastBeat = 0;
    const beat = (force = false) => {
      if (!force && Date.now() - lastBeat < HEARTBEAT_EVERY_MS) return;
      lastBeat = Date.now();
      context.heartbeat(checkpoint(false));
    };
    beat(true);
    const rateLimit = plan.maxBytesPerSecond ? new ByteRateLimit(plan.maxBytesPerSecond) : undefined;

    const open = async (): Promise<pg.Client> => {
      const client = await openConnection(source.url, 'restorepoint-export-range');
      reader = client;
      const identity = await sourceIdentity(client);
      if (identity.systemIdentifier !== plan.systemIdentifier || identity.database !== plan.database) {
        throw new RestorepointError('CONFIG_INVALID', `source "${input.source}" on this worker reaches another database than the export's snapshot holder's: a range must read the holder's snapshot`, { source: input.source });
      }
      try {
        await joinSharedSnapshot(client, plan.snapshotId);
      } catch (error) {
        // 22023 "invalid snapshot identifier": the holder's transaction is over (its worker died).
        if ((error as { code?: string }).code === '22023') {
          throw new RestorepointError('SNAPSHOT_GONE', `export ${input.exportId}: range ${unit.index} of ${unit.table} found its snapshot ended; it is read again under the holder's next one`, { exportId: input.exportId });
        }
        throw error;
      }
      return client;
    };

    const read = async (client: pg.Client, resume: boolean): Promise<ManifestPart[]> => {
      const reuse = resume ? parts : [];
      parts = reuse;
      return exportTable(
        client,
        store,
        {
          table: unit.ref,
          columns: unit.columns,
          jsonlText: unit.jsonlText,
          format: input.format,
          pages: unit.pages,
          compression: input.compression,
          zstdLevel: deps.config.export.zstdLevel,
          partSizeBytes: plan.partSizeBytes,
          partKey: (partNo) => objectNames.rangePart(input.exportId, unit.ref.schema, unit.ref.name, unit.index, partNo, input.format, input.compression),
          finishedParts: reuse,
          // Parts stored under another snapshot are kept only if this snapshot's first rows are the same rows.
          verifyFinishedParts: reuse.length > 0 && !sameSnapshot,
          cipher,
        },
        {
          onProgress: (_rows, bytes) => {
            beat();
            return rateLimit?.take(bytes);
          },
          onPart: async (part) => {
            parts = [...parts, part];
            // Provisional numbers, one block per range, until the holder numbers the table's parts through.
            await recordParts(deps.catalog, input.exportId, unit.table, [{ ...part, partNo: unit.index * RANGE_PART_STRIDE + part.partNo }]);
            await stored.write(checkpoint(false));
            beat(true);
          },
        },
      );
    };

    const work = async (): Promise<ManifestPart[]> => {
      const canReuse = parts.length > 0 && (sameSnapshot || parts.every((p) => p.fingerprint));
      try {
        return await read(await open(), canReuse);
      } catch (error) {
        if (!(error instanceof ResumedPrefixChanged)) throw error;
        // The rows changed under the new snapshot: the COPY was left mid-stream, so start the range over on a new connection.
        await reader?.end().catch(() => undefined);
        return read(await open(), false);
      }
    };

    try {
      const result = await Promise.race([work(), cancelled]);
      parts = result;
      await stored.write(checkpoint(true));
      context.heartbeat(checkpoint(true));
      return result;
    } catch (error) {
      throw asTypedDatabaseError(error, 'EXPORT_FAILED', `export ${input.exportId}: range ${unit.index} of ${unit.table}`);
    } finally {
      await reader?.end().catch(() => undefined);
    }
  };
}
