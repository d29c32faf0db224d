import os from 'node:os';
import type { Command } from 'commander';
import { RestorepointError } from '../../../core/errors';
import { describeScope } from '../../../core/export-scope';
import { exportHandle, startExport, type ExportHandle } from '../../exports';
import { withClient } from '../context';
import { patternList, schemaList } from '../name-list';
import { parseSize } from '../parse-size';
import { action, emit } from '../output';
import { ProgressView } from '../progress-view';

export function parseTags(pairs: readonly string[]): Record<string, string> {
  const allowed: Record<string, string> = { environment: 'environment', env: 'environment', 'data-domain': 'dataDomain', domain: 'dataDomain', purpose: 'purpose' };
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const [key, ...rest] = pair.split('=');
    const name = allowed[key ?? ''];
    if (!name || rest.length === 0) throw new RestorepointError('INPUT_INVALID', `--tag "${pair}": expected environment=..., data-domain=... or purpose=...`);
    tags[name] = rest.join('=');
  }
  return tags;
}

export function currentUser(): string {
  return process.env.RESTOREPOINT_ACTOR ?? os.userInfo().username;
}

/** Follows an export until it ends: a redrawn table on a terminal, JSON lines with --json. */
async function follow(handle: ExportHandle, json: boolean): Promise<void> {
  const view = new ProgressView();
  const tty = process.stderr.isTTY && !json;
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  result.catch(() => undefined);
  while (!finished) {
    const progress = await handle.progress();
    if (json) process.stdout.write(`${JSON.stringify({ event: 'progress', exportId: handle.exportId, ...progress })}\n`);
    else if (tty) view.draw(progress);
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
  if (tty) view.draw(await handle.progress());
}

export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('export a configured source to gs://bucket/prefix or file:///dir: by default the whole database (every non-system schema)')
    .addHelpText(
      'after',
      [
        '',
        'Scope: with no --schemas, --tables or --exclude an export covers every schema of the database except',
        'pg_*, information_schema and restorepoint_* (as pg_dump does), and is a full restore point. Any of the',
        'three narrows it: the export is then recorded as partial (manifest and catalog) and never counts as a',
        'full restore point in retention, chains or restore-points. A whole export also carries the large objects',
        '(pg_largeobject); a narrowed one leaves them out, as pg_dump -n does. Names are exact and case-sensitive; write a',
        'name holding a dot, a comma, a quote or a * in double quotes, quotes doubled, as in SQL:',
        '--tables \'"Sales Data"."Order.Lines"\' --tables \'"Sales Data"."a,b"\' --schemas \'"a,b"\'. Each of the three',
        'flags takes a comma-separated list (commas inside double quotes are part of the name) and may be repeated.',
        'The scope is checked before anything starts: an unknown source, schema or pattern matching no table,',
        'or an object that cannot be exported (docs/export-and-restore.md) is refused and nothing is recorded.',
      ].join('\n'),
    )
    .requiredOption('--to <destination>', 'gs://bucket/prefix or file:///absolute/dir')
    .option('--source <name>', 'a configured source connection', 'demo')
    .option('--schemas <list>', 'only these schemas (comma-separated or repeated; a name with a comma in double quotes; default: every non-system schema); makes the export partial', schemaList)
    .option('--tables <list>', 'only tables matching these table or schema.table patterns, * wildcards (comma-separated or repeated); makes the export partial', patternList)
    .option('--exclude <list>', 'leave out tables matching these patterns (comma-separated or repeated); makes the export partial', patternList)
    .option('--format <format>', 'csv (exact round trip), jsonl or parquet (docs/parquet.md)', 'csv')
    .option('--compression <codec>', 'zstd, gzip or none', 'zstd')
    .option('--no-encryption', 'store the objects unencrypted (recorded in the manifest and the ledger); by default every object is encrypted under a data key of the export')
    .option('--part-size <size>', 'start a new part after this much uncompressed data, e.g. 256MB')
    .option('--concurrency <n>', 'tables exported at once')
    .option('--max-connections <n>', "most connections to the source (the snapshot's included); at most the source's maxConnections")
    .option('--max-rate <size>', 'most uncompressed bytes read from the source per second, e.g. 20MB')
    .option('--mask <profile>', 'apply a masking profile of config while the rows stream (docs/masking.md): csv only; the export is partial and restores only into a local: scratch target')
    .option('--incremental', 'store only the changes recorded by the change trail since the previous export of the chain (docs/incremental-and-point-in-time.md)')
    .option('--parent <exportId>', 'with --incremental: the export to follow (default: the newest one of this source and destination)')
    .option('--id <exportId>', 'export id (default: generated); the same id never runs twice')
    .option('--tag <key=value>', 'environment=, data-domain=, purpose= (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--wait', 'follow progress until the export ends')
    .option('--json', 'print JSON (progress as JSON lines with --wait)')
    .action(
      action(async (o: Record<string, unknown>) => {
        const json = Boolean(o.json);
        return withClient(async (client) => {
          const request = {
            exportId: o.id as string | undefined,
            source: o.source as string,
            schemas: (o.schemas as string[] | undefined) ?? [],
            tables: (o.tables as string[] | undefined) ?? [],
            exclude: (o.exclude as string[] | undefined) ?? [],
            destination: o.to as string,
            format: o.format as 'csv',
            compression: o.compression as 'zstd',
            encrypt: o.encryption !== false,
            partSizeBytes: o.partSize ? parseSize(o.partSize as string, '--part-size') : undefined,
            concurrency: o.concurrency ? Number(o.concurrency) : undefined,
            maxConnections: o.maxConnections ? Number(o.maxConnections) : undefined,
            maxBytesPerSecond: o.maxRate ? parseSize(o.maxRate as string, '--max-rate') : undefined,
            tags: { ...parseTags((o.tag as string[] | undefined) ?? []), requestedBy: o.requestedBy as string },
            requestedBy: o.requestedBy as string,
            mode: o.incremental ? 'incremental' : 'full',
            parentExportId: o.parent as string | undefined,
            mask: o.mask as string | undefined,
          } as const;
          const handle = await startExport(client, request);
          if (!o.wait) {
            const scope = o.incremental ? undefined : describeScope(request);
            emit({ json }, { ok: true, exportId: handle.exportId, workflowId: handle.workflowId, ...(scope ? { scope } : {}) }, () =>
              `started export ${handle.exportId} (workflow ${handle.workflowId})${scope ? `\nscope: ${scope}` : ''}`,
            );
            return;
          }
          await follow(handle, json);
          const summary = await handle.result();
          emit({ json }, { event: 'finished', ok: true, ...summary }, () =>
            `export ${summary.exportId} finished: ${summary.tables} tables, ${summary.rows} rows, ${summary.parts} parts, ${(summary.bytes / 1024 / 1024).toFixed(1)} MB stored\nmanifest ${summary.manifestKey} sha256 ${summary.manifestSha256}`,
          );
        });
      }),
    );

  program
    .command('export-progress <exportId>')
    .description("an export's latest progress")
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { json?: boolean }) =>
        withClient(async (client) => {
          const handle = exportHandle(client, exportId);
          if (!(await handle.exists())) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" has run or is running`, { exportId });
          const progress = await handle.progress();
          emit(o, progress, () => new ProgressView().render(progress));
        }),
      ),
    );
}
