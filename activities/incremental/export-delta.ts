import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { listChainLinks, recordTrailRange } from '../../catalog/chain-repo';
import { appendLedger } from '../../catalog/ledger';
import { RestorepointError } from '../../core/errors';
import { exportInputSchema, type ExportInput, type ExportRequest } from '../../core/export-input';
import { MANIFEST_VERSION } from '../../core/manifest';
import { DELTA_TABLE_KEY, deltaObjectNames, type ChainLink, type DeltaManifest, type TrailPoint } from '../../core/restore-points';
import { toolVersion } from '../../core/tool-version';
import { sourceIdentity } from '../../postgres/introspect';
import { sha256Hex } from '../../streams/sha256';
import { CANONICAL_FIELD, ChainFollower, hashAtPosition, readArchivableEntries, sealTrail, TRAIL_GENESIS_HASH, type ArchivedEntry } from '../../trail';
import { resolveSource, type ActivityDeps } from '../deps';
import type { ExportDataResult } from '../export/export-data';
import { recordParts } from '../export/part-catalog';
import { ArchiveWriter } from './archive-writer';
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
    const parentId = input.parentExportId ?? (await newestParent(deps, input)).exportId;
    const chain = await verifyChain(deps, input.source, parentId, new Set([parentId]));
    const base = chain.base;
    const parent = chain.links.at(-1)!;
    const from = parent.trailTo!;
    const store = deps.openStore(input.destination);
    const tableKeys = new Set(base.tables.map((t) => `${t.schema}.${t.name}`));
    const counts = new Map<string, Counts>([...tableKeys].map((k) => [k, { insert: 0, update: 0, delete: 0, truncate: 0 }]));
    const writer = new ArchiveWriter(
      store,
      (partNo) => deltaObjectNames.part(input.exportId, partNo, input.compression),
      input.compression,
      deps.config.export.zstdLevel,
      input.partSizeBytes ?? deps.config.export.partSizeBytes,
    );

    const read = await withTrailClient(resolveSource(deps.config, input.source).url, async (client) => {
      await checkTrailCovers(client, base);
      const identity = await sourceIdentity(client);
      const to = (await sealTrail(client)).head ?? { position: 0, hash: TRAIL_GENESIS_HASH };
      const clock = await client.query<{ now: Date; snapshot: string }>('select clock_timestamp() as now, pg_current_snapshot()::text as snapshot');
      if (to.position < from.position) throw broken(`the source's trail ends at position ${to.position}, before the parent's ${from.position} (was the database replaced?)`);
      if (to.position === from.position && (await hashAtPosition(client, from.position)) !== from.hash && from.position > 0) {
        throw broken(`the source's entry ${from.position} no longer has the parent's hash`);
      }
      try {
        const entries = await copyRange(client, from, to, writer, (entry) => count(entry, counts));
        return { identity, to, entries, asOf: clock.rows[0]!.now, snapshot: clock.rows[0]!.snapshot };
      } catch (error) {
        writer.abort(error as Error);
        throw error;
      }
    });
    const parts = await writer.finish();
    await recordParts(deps.catalog, input.exportId, DELTA_TABLE_KEY, parts, { replaceTable: true });
    const keep = new Set(parts.map((p) => p.key));
    for await (const object of store.list(deltaObjectNames.folder(input.exportId))) if (!keep.has(object.key)) await store.delete(object.key);

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
      encryption: null,
      tags: input.tags,
      tables: base.tables.map((t) => ({ schema: t.schema, name: t.name, changes: counts.get(`${t.schema}.${t.name}`)! })),
      parts,
      timings: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime() },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 1));
    const manifestKey = deltaObjectNames.manifest(input.exportId);
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
 * Streams entries (from, to] into the writer a page at a time, following the hash chain from
 * the parent's last link: an entry missing (pruned or deleted), out of sequence or with a hash
 * that does not follow refuses the delta.
 */
async function copyRange(client: pg.ClientBase, from: TrailPoint, to: TrailPoint, writer: ArchiveWriter, onEntry: (entry: ArchivedEntry) => void): Promise<number> {
  const follower = new ChainFollower(from);
  for (let after = from.position; after < to.position; ) {
    const page = await readArchivableEntries(client, after, to.position, PAGE);
    if (page.length === 0) throw broken(`entries ${after + 1} to ${to.position} are missing from the source's trail (pruned before they were exported?)`);
    const entries: ArchivedEntry[] = [];
    for (const row of page) {
      if (row.canonical === null) throw broken(`trail entry ${row.position} is missing (its change row was deleted)`);
      const entry: ArchivedEntry = { position: row.position, hash: row.hash, canonical: row.canonical };
      const fault = follower.follow(entry);
      if (fault) throw broken(`the trail does not verify at position ${fault.position}: ${fault.reason} (expected ${fault.expected}, found ${fault.actual})`);
      onEntry(entry);
      entries.push(entry);
    }
    await writer.write(entries);
    after = page.at(-1)!.position;
    Context.current().heartbeat({ position: after });
  }
  return to.position - from.position;
}

function count(entry: ArchivedEntry, counts: Map<string, Counts>): void {
  const fields = JSON.parse(entry.canonical) as unknown[];
  const tally = counts.get(`${String(fields[CANONICAL_FIELD.schema])}.${String(fields[CANONICAL_FIELD.table])}`);
  const op = fields[CANONICAL_FIELD.op] as keyof Counts;
  if (tally && op in tally) tally[op] += 1;
}

/** The default parent: the newest finished export of the same source and destination with a trail position. */
async function newestParent(deps: ActivityDeps, input: ExportInput): Promise<ChainLink> {
  const links = await listChainLinks(deps.catalog, { source: input.source, destination: input.destination });
  const candidates = links.filter((l) => l.status === 'succeeded' && l.trailTo !== null && l.asOf !== null && l.exportId !== input.exportId);
  const newest = candidates.sort((a, b) => Date.parse(b.asOf!) - Date.parse(a.asOf!))[0];
  if (!newest) throw broken(`no finished export of ${input.source} to ${input.destination} has a trail position: track the tables, then take a full export first`);
  return newest;
}

/** Writes the range to the catalog (before the export is marked finished) and, once, to the ledger. */
async function recordRange(deps: ActivityDeps, input: ExportInput, range: Parameters<typeof recordTrailRange>[2] & { from: TrailPoint; to: TrailPoint }): Promise<void> {
  const before = await deps.catalog('exports').where({ id: input.exportId }).first<{ trail_to_position: string | null } | undefined>('trail_to_position');
  await recordTrailRange(deps.catalog, input.exportId, range);
  if (before?.trail_to_position !== null && before?.trail_to_position !== undefined) return;
  await appendLedger(deps.catalog, {
    actor: input.requestedBy,
    action: 'trail.archived',
    subject: `trail:${input.source}`,
    outcome: 'ok',
    details: { exportId: input.exportId, from: range.from, to: range.to, parentExportId: range.parentExportId ?? null, baseExportId: range.baseExportId ?? null },
  });
}

function broken(problem: string): RestorepointError {
  return new RestorepointError('CHAIN_BROKEN', problem, {});
}
