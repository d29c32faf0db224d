import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { recordTrailRange } from '../../catalog/chain-repo';
import { anchorLedger, appendLedger, withLedgerTransaction } from '../../catalog/ledger';
import { RestorepointError } from '../../core/errors';
import { exportInputSchema, type ExportInput, type ExportRequest } from '../../core/export-input';
import { MANIFEST_VERSION } from '../../core/manifest';
import { DELTA_TABLE_KEY, deltaObjectNames, type DeltaManifest, type TrailPoint } from '../../core/restore-points';
import { toolVersion } from '../../core/tool-version';
import { sourceIdentity } from '../../postgres/introspect';
import { sha256Hex } from '../../streams/sha256';
import { ChainFollower, readArchivableEntries, sealTrail, TRAIL_GENESIS_HASH, type ArchivableEntry, type SealStart } from '../../trail';
import { keyProviderOf, resolveSource, type ActivityDeps } from '../deps';
import { ENCRYPTION_SCHEME } from '../../crypto/chunked-aead';
import { cipherForNewExport, getExportKey, recordManifestMac } from '../../crypto/export-keys';
import type { ExportDataResult } from '../export/export-data';
import { recordParts } from '../export/part-catalog';
import { ArchiveWriter } from './archive-writer';
import { checkBaseHolds, chooseParent, wantedTables } from './chain-start';
import { checkTrailCovers, withTrailClient } from './trail-source';
import { verifyChain } from './verify-chain';

const PAGE = 5000;
type Counts = DeltaManifest['tables'][number]['changes'];

export function createExportDeltaActivity(deps: ActivityDeps) {
  /**
   * One incremental export: the source's sealed trail entries since the parent export, as delta
   * parts, after proving the chain it extends (parent and base manifests, objects, trail range
   * continuity), that the source is the same database, that every base table is captured, and
   * that the trail verifies from the parent's last hash through the new head. Reads only the
   * new entries: the cost follows the number of changes, not the size of the tables.
   */
  return async function exportDelta(request: ExportRequest): Promise<ExportDataResult> {
    const input = exportInputSchema.parse(request);
    const startedAt = deps.clock();
    const wanted = await wantedTables(deps, input);
    const parentId = await chooseParent(deps, input, wanted);
    const chain = await verifyChain(deps, input.source, parentId, new Set([parentId]));
    checkBaseHolds(chain.links[0]!, chain.base, wanted);
    const base = chain.base;
    const parent = chain.links.at(-1)!;
    const from = parent.trailTo!;
    const store = deps.openStore(input.destination);
    const tableKeys = new Set(base.tables.map((t) => `${t.schema}.${t.name}`));
    const counts = new Map<string, Counts>([...tableKeys].map((k) => [k, { insert: 0, update: 0, delete: 0, truncate: 0 }]));
    const cipher = input.encrypt ? await cipherForNewExport(deps.catalog, keyProviderOf(deps), input.exportId) : undefined;
    const writer = new ArchiveWriter(
      store,
      (partNo) => deltaObjectNames.part(input.exportId, partNo, input.compression),
      input.compression,
      deps.config.export.zstdLevel,
      input.partSizeBytes ?? deps.config.export.partSizeBytes,
      cipher,
    );

    const read = await withTrailClient(resolveSource(deps.config, input.source).url, async (client) => {
      await checkTrailCovers(client, base);
      const identity = await sourceIdentity(client);
      const tally = (entry: ArchivableEntry) => count(entry, counts);
      let start: SealStart | undefined;
      try {
        // The entries sealed before (by `trail verify`, a full export...) are read back and their
        // chain followed from the parent's last link; those pending are sealed now and archived as
        // they are hashed. Both happen under the sealing lock, so nothing is sealed in between.
        const sealing = await sealTrail(client, {
          beforeSealing: async (sealStart) => {
            start = sealStart;
            await copySealed(client, from, sealStart.head, writer, tally);
          },
          onSealed: async (entries) => {
            entries.forEach(tally);
            await writer.write(entries);
            Context.current().heartbeat({ position: entries.at(-1)!.position });
          },
        });
        if (!start) throw new RestorepointError('NOT_TRACKED', 'the source has no change trail: run `restorepoint track` on its tables, then take a full export', {});
        const to = sealing.head ?? { position: 0, hash: TRAIL_GENESIS_HASH };
        return { identity, to, entries: to.position - from.position, asOf: start.at, snapshot: start.snapshot };
      } catch (error) {
        writer.abort(error as Error);
        throw error;
      }
    });
    const parts = await writer.finish();
    await recordParts(deps.catalog, input.exportId, DELTA_TABLE_KEY, parts, { replaceTable: true });
    const keep = new Set(parts.map((p) => p.key));
    for await (const object of store.list(deltaObjectNames.folder(input.exportId))) if (!keep.has(object.key)) await store.delete(object.key);

    const ledger = await anchorLedger(deps.catalog, store, { actor: input.requestedBy, reason: `export ${input.exportId}` });
    const finishedAt = deps.clock();
    const manifest: DeltaManifest = {
      version: MANIFEST_VERSION,
      exportId: input.exportId,
      mode: 'incremental',
      createdAt: finishedAt.toISOString(),
      tool: { name: 'restorepoint', version: toolVersion },
      source: { name: input.source, ...read.identity },
      parentExportId: parent.exportId,
      baseExportId: chain.links[0]!.exportId,
      trail: { from, to: read.to, entries: read.entries, asOf: read.asOf.toISOString() },
      format: 'jsonl',
      compression: input.compression,
      encryption: cipher ? { scheme: ENCRYPTION_SCHEME, keyId: (await getExportKey(deps.catalog, input.exportId))!.keyId } : null,
      tags: input.tags,
      tables: base.tables.map((t) => ({ schema: t.schema, name: t.name, changes: counts.get(`${t.schema}.${t.name}`)! })),
      parts,
      ...(ledger ? { ledger } : {}),
      timings: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime() },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 1));
    const manifestKey = deltaObjectNames.manifest(input.exportId);
    if (cipher) await recordManifestMac(deps.catalog, input.exportId, cipher.manifestMac(manifestBytes));
    await store.putBytes(manifestKey, manifestBytes, { contentType: 'application/json' });
    await recordRange(deps, input, { from, to: read.to, asOf: read.asOf, parentExportId: parent.exportId, baseExportId: chain.links[0]!.exportId });
    return {
      manifestKey,
      manifestSha256: sha256Hex(manifestBytes),
      tables: manifest.tables.length,
      rows: read.entries,
      bytes: parts.reduce((s, p) => s + p.bytes, 0),
      parts: parts.length,
      txidSnapshot: read.snapshot,
    };
  };
}

/**
 * Streams the entries sealed before this export, (from, head], into the writer a page at a time,
 * following the hash chain from the parent's last link: an entry missing (pruned or deleted), out
 * of sequence or with a hash that does not follow refuses the delta, and so does a head that is
 * not the parent's last link or beyond it (another database, or a replaced one).
 */
async function copySealed(client: pg.ClientBase, from: TrailPoint, head: TrailPoint, writer: ArchiveWriter, onEntry: (entry: ArchivableEntry) => void): Promise<void> {
  if (head.position < from.position) throw broken(`the source's trail ends at position ${head.position}, before the parent's ${from.position} (was the database replaced?)`);
  if (head.position === from.position && from.position > 0 && head.hash !== from.hash) throw broken(`the source's entry ${from.position} no longer has the parent's hash`);
  const follower = new ChainFollower(from);
  // The database reads the next page while this one is checked and written; awaited in turn
  // (marked handled so that a throw meanwhile leaves no unhandled rejection).
  const readPage = (after: number) => {
    const page = readArchivableEntries(client, after, head.position, PAGE);
    page.catch(() => undefined);
    return page;
  };
  let after = from.position;
  for (let next = after < head.position ? readPage(after) : null; next; ) {
    const page = await next;
    if (page.length === 0) throw broken(`entries ${after + 1} to ${head.position} are missing from the source's trail (pruned before they were exported?)`);
    after = page.at(-1)!.position;
    next = after < head.position ? readPage(after) : null;
    const entries: ArchivableEntry[] = [];
    for (const row of page) {
      if (row.canonical === null) throw broken(`trail entry ${row.position} is missing (its change row was deleted)`);
      const fault = follower.follow(row);
      if (fault) throw broken(`the trail does not verify at position ${fault.position}: ${fault.reason} (expected ${fault.expected}, found ${fault.actual})`);
      onEntry(row);
      entries.push(row);
    }
    await writer.write(entries);
    Context.current().heartbeat({ position: after });
  }
  // The sealing continues from `head`'s stored hash: the chain read above must end on it.
  if (follower.head.position !== head.position || follower.head.hash !== head.hash) throw broken(`the trail's head ${head.position} does not follow from the entries before it`);
}

function count(entry: ArchivableEntry, counts: Map<string, Counts>): void {
  const tally = counts.get(`${entry.schema}.${entry.table}`);
  if (tally) tally[entry.op] += 1;
}

/**
 * Writes the range to the catalog (before the export is marked finished) and, once, to the
 * ledger, in one transaction: a retry decides from the recorded range whether the entry is
 * still to be written, so the two never commit apart.
 */
async function recordRange(deps: ActivityDeps, input: ExportInput, range: Parameters<typeof recordTrailRange>[2] & { from: TrailPoint; to: TrailPoint }): Promise<void> {
  await withLedgerTransaction(deps.catalog, async (trx) => {
    const before = await trx('exports').where({ id: input.exportId }).forUpdate().first<{ trail_to_position: string | null } | undefined>('trail_to_position');
    await recordTrailRange(trx, input.exportId, range);
    if (before?.trail_to_position !== null && before?.trail_to_position !== undefined) return;
    await appendLedger(trx, {
      actor: input.requestedBy,
      action: 'trail.archived',
      subject: `trail:${input.source}`,
      outcome: 'ok',
      details: { exportId: input.exportId, from: range.from, to: range.to, parentExportId: range.parentExportId ?? null, baseExportId: range.baseExportId ?? null },
    });
  });
}

function broken(problem: string): RestorepointError {
  return new RestorepointError('CHAIN_BROKEN', problem, {});
}
