import { InvalidArgumentError, Option, type Command } from 'commander';
import { RestorepointError } from '../../../core/errors';
import type { RecordedDecision } from '../../../core/rollback/approval-policy';
import type { PreviewSamples, RollbackPreview } from '../../../core/rollback/rollback-preview';
import { FINAL_STAGES, type RollbackStatus } from '../../../core/rollback/rollback-state';
import { rollbackHandle, rollbackRecord, startRollback, undoRollback, type RollbackHandle } from '../../rollbacks';
import { sourceOfRow, withCatalogDb, withClient } from '../context';
import { action, emit, EXIT, table, UsageError } from '../output';
import { currentUser } from './export';
import { previewDigest } from '../../../identity/preview-digest';
import { patternList } from '../name-list';
import { registerRollbackListCommand } from './rollback-list';

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
};

function parseKeys(text: string): Record<string, Record<string, string | number | boolean>[]> {
  try {
    return JSON.parse(text) as Record<string, Record<string, string | number | boolean>[]>;
  } catch {
    throw new InvalidArgumentError('expected JSON such as {"customer": [{"customer_id": 1}]}');
  }
}

/**
 * `--where TABLE=PREDICATE`, repeatable: the table pattern is everything before the first
 * "=" outside double quotes (a quoted name such as `"Sales Data"."a=b"` may hold one, and a
 * space), the predicate everything after it, "=" signs included.
 */
function parseWhere(text: string, previous: Record<string, string> = {}): Record<string, string> {
  let at = -1;
  let quoted = false;
  for (let i = 0; i < text.length && at < 0; i += 1) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (ch === '=' && !quoted) at = i;
  }
  const table = at > 0 ? text.slice(0, at).trim() : '';
  const predicate = at > 0 ? text.slice(at + 1).trim() : '';
  if (!table || /\s/.test(table.replace(/"(?:[^"]|"")*"/g, '')) || !predicate) {
    throw new InvalidArgumentError(`expected TABLE=PREDICATE such as "film=rating = 'PG' and length > 90" (quote a table name with a space or "=": '"Sales Data"."Orders"=...')`);
  }
  if (table in previous) throw new InvalidArgumentError(`a second row predicate for ${table}: combine them with and/or in one`);
  return { ...previous, [table]: predicate };
}

/** Waits until the rollback needs a human (awaiting approval) or has ended. */
async function untilDecisionOrEnd(handle: RollbackHandle): Promise<RollbackStatus> {
  for (;;) {
    const status = await handle.status();
    if (status.stage === 'awaiting-approval' || FINAL_STAGES.includes(status.stage)) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function renderStatus(s: RollbackStatus): string {
  const accepted = s.decisions.filter((d) => d.accepted && d.kind === 'approve').map((d) => d.by);
  return [
    `rollback ${s.rollbackId}: ${s.stage}${s.outcome ? ` — ${s.outcome}` : ''}`,
    `  ${s.mode} on ${s.source}, back to ${s.restorePoint ? 'the state' : 'export'} ${s.targetExportId}; asked by ${s.requestedBy}: ${s.reason}`,
    ...Object.entries(s.where ?? {}).map(([table, predicate]) => `  scope of ${table}: rows where ${predicate} (in the target or live data when prepared; see the preview for the keys in scope)`),
    s.restorePoint
      ? `  restore point: full export ${s.restorePoint.baseExportId} (${s.restorePoint.baseAsOf}), deltas ${s.restorePoint.deltaExportIds.join(', ') || '(none)'}, then ${s.restorePoint.tail}; trail entries after ${s.restorePoint.trail.after} up to the time`
      : '',
    `  approvals ${accepted.length}/${s.approvalsRequired}${accepted.length ? ` (${accepted.join(', ')})` : ''}${s.approvalDeadline ? `, deadline ${s.approvalDeadline}` : ''}`,
    ...s.decisions.filter((d) => !d.accepted).map((d) => `  refused ${d.kind} by ${d.by}: ${d.reason}`),
    s.safetyExportId ? `  safety snapshot: export ${s.safetyExportId}` : '',
    s.progress.rowsPlanned ? `  progress: ${s.progress.rowsApplied}/${s.progress.rowsPlanned} rows (${s.progress.table})` : '',
    s.validation ? `  validation: ${s.validation.ok ? 'ok, zero differences' : `FAILED ${JSON.stringify(s.validation.differences)} ${JSON.stringify(s.validation.orphans)}`}` : '',
    s.preview ? `  preview: ${s.preview.totals.inserts} inserts, ${s.preview.totals.updates} updates, ${s.preview.totals.deletes} deletes, ${s.preview.totals.conflicts} conflicting rows${s.preview.totals.outsideScope ? `, ${s.preview.totals.outsideScope} rows outside the scope changed by cascades (see the preview)` : ''}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function renderPreview(p: RollbackPreview, samples: readonly PreviewSamples[]): string {
  const out = [
    table(['table', 'inserts', 'updates', 'deletes', 'changed since target (by transaction)'], p.tables.map((t) => [t.table, t.inserts, t.updates, t.deletes, t.changedSinceTarget.map((c) => `${c.rows} by xid ${c.xid}${c.actors ? ` (${c.actors.join(', ')})` : ''}`).join(', ')])),
  ];
  for (const t of p.tables) {
    if (t.multiset) out.push(`${t.table} has no primary key: compared as a multiset (copies of each row) — ${t.inserts} rows to add, ${t.deletes} rows to remove; an edited row counts as one of each`);
    if (!t.narrowedTo) continue;
    out.push(
      t.narrowedTo.where !== null
        ? `scope of ${t.table}: the ${t.narrowedTo.keys} rows (by primary key) where ${t.narrowedTo.where} in the target or in live data when prepared; fixed now — a row that matches later is not included`
        : `scope of ${t.table}: the ${t.narrowedTo.keys} chosen primary keys`,
    );
  }
  if (p.foreignKeys.length) out.push('', 'foreign-key impact:', table(['constraint', 'child', 'parent', 'removed', 'orphaned'], p.foreignKeys.map((f) => [f.constraint, f.child, f.parent, f.removed, f.orphaned])));
  const outside = p.outsideScope ?? [];
  if (outside.length) {
    out.push('', 'OUTSIDE THE SCOPE — rows foreign-key cascades removed or changed since the target; this rollback leaves them as they are:');
    for (const o of outside) {
      out.push(`  ${o.table}: ${o.removed === null ? 'not counted' : `${o.removed} removed, ${o.changed} changed`} (via ${o.via.join('; ')})`, `    ${o.suggestion}`);
    }
  }
  out.push('', p.constraintConflicts.length ? 'CONFLICTS (apply will refuse):' : `conflicts: none${outside.length ? ' (but see the rows outside the scope above)' : ''}`);
  for (const c of p.constraintConflicts) out.push(`  ${c.table}: ${c.rows} rows, ${c.problem} (${c.constraint})`);
  for (const s of samples) {
    const copies = (n: number | undefined) => (n !== undefined && n > 1 ? ` ×${n}` : '');
    const keyOf = (key: object | undefined) => (key ? `${JSON.stringify(key)} ` : '');
    const lines = [
      ...s.updates.map((u) => `  update ${keyOf(u.key)}${JSON.stringify(u.before)} → ${JSON.stringify(u.after)}`),
      ...s.inserts.map((i) => `  insert ${JSON.stringify(i.after)}${copies(i.copies)}`),
      ...s.deletes.map((d) => `  delete ${JSON.stringify(d.before)}${copies(d.copies)}`),
    ];
    if (lines.length) out.push('', `samples of ${s.table}:`, ...lines);
  }
  return out.join('\n');
}

function registerDecision(rollback: Command, kind: 'approve' | 'reject'): void {
  rollback
    .command(`${kind} <rollbackId>`)
    .description(`${kind} a rollback awaiting approval (refused decisions are recorded in the ledger and change nothing)`)
    .option('--as <who>', 'who you are: refused unless it is the subject your token proves (default that subject)')
    .option('--digest <sha256>', 'the preview digest you checked (`rollback preview` prints it); default the preview shown now')
    .option('--comment <text>', 'why', '')
    .option('--json', 'print JSON')
    .action(
      action(async (rollbackId: string, o: { as?: string; digest?: string; comment: string; json?: boolean }) =>
        withClient((client) => withCatalogDb(async (catalog) => {
          // With the catalog, a decision arriving after the rollback ended is still recorded (refused).
          const decision: RecordedDecision = await rollbackHandle(client, rollbackId, catalog).decide(kind, o.as, o.comment, o.digest);
          emit(o, { ok: decision.accepted, ...decision }, () => (decision.accepted ? `${kind === 'approve' ? 'approved' : 'rejected'} rollback ${rollbackId} as ${decision.by}` : `refused: ${decision.reason}`));
          return decision.accepted ? EXIT.ok : EXIT.failed;
        }, { permission: 'catalog.read', resource: sourceOfRow('rollbacks', rollbackId) })),
      ),
    );
}

/** Waits for the preview when asked, and prints what a started rollback is doing. */
async function reportStart(handle: RollbackHandle, o: { wait?: boolean; json?: boolean }): Promise<number> {
  if (!o.wait) {
    emit(o, { ok: true, rollbackId: handle.rollbackId, workflowId: handle.workflowId }, () => `started rollback ${handle.rollbackId}; see \`restorepoint rollback preview ${handle.rollbackId}\``);
    return EXIT.ok;
  }
  const status = await untilDecisionOrEnd(handle);
  emit(o, { ok: status.stage !== 'failed', ...status }, () => renderStatus(status));
  return status.stage === 'failed' ? EXIT.failed : EXIT.ok;
}

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

export function registerRollbackCommands(program: Command): void {
  program
    .command('revert')
    .description("undo selected trail changes (e.g. one actor's) through the rollback stages: preview, approval, safety snapshot, apply, validate")
    .requiredOption('--source <name>', 'the configured source whose trail holds the changes')
    .option('--xid <xid>', 'a transaction id (repeatable)', repeatable)
    .option('--actor <actor>', 'the recorded actor')
    .option('--since <time>', 'changes at or after this ISO 8601 time (with offset)')
    .option('--until <time>', 'changes before this ISO 8601 time')
    .option('--table <schema.table>', 'only this table (repeatable)', repeatable)
    .requiredOption('--snapshot-to <destination>', 'where the safety snapshot is exported (gs://bucket/prefix or file:///dir)')
    .requiredOption('--reason <text>', 'why, recorded in the ledger')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--id <rollbackId>', 'choose the id (default rb-<time>-<random>)')
    .option('--lock-timeout <seconds>', 'how long apply waits for writers before it stops', int)
    .option('--wait', 'wait for the preview (or the end) and print it')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; xid?: string[]; actor?: string; since?: string; until?: string; table?: string[]; snapshotTo: string; reason: string; requestedBy: string; id?: string; lockTimeout?: number; wait?: boolean; json?: boolean }) =>
        withClient(async (client) => {
          const handle = await startRollback(client, {
            rollbackId: o.id,
            source: o.source,
            target: { trail: { xids: o.xid, actor: o.actor, from: o.since, until: o.until, tables: o.table } },
            snapshotDestination: o.snapshotTo,
            requestedBy: o.requestedBy,
            reason: o.reason,
            lockTimeoutSeconds: o.lockTimeout,
          });
          return reportStart(handle, o);
        }),
      ),
    );

  const rollback = program.command('rollback').description('put data back to an export or a point in time, previewed and approved, with a safety snapshot and undo');

  rollback
    .command('start')
    .description('start a rollback: prepare, preview, then wait for approval')
    .requiredOption('--source <name>', 'the configured source whose data is rolled back')
    .addOption(new Option('--export <id>', 'the export holding the state to go back to').conflicts('at'))
    .option('--at <time>', 'instead of --export: the state at this ISO 8601 time with offset, from the restore points (full export, deltas, trail)')
    .requiredOption('--tables <list>', 'tables in scope (comma-separated patterns)', patternList)
    .requiredOption('--reason <text>', 'why, recorded in the ledger')
    .option('--keys <json>', 'narrow tables to these primary keys, e.g. \'{"customer": [{"customer_id": 1}]}\'', parseKeys)
    .option('--where <table=predicate>', "narrow a table to the rows a SQL boolean over its columns picks in the target or live data, e.g. \"film=rating = 'PG'\" (repeatable, one per table)", parseWhere)
    .option('--side-by-side <schema>', 'only load the target into this new schema of the source, for inspection')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--id <rollbackId>', 'choose the id (default rb-<time>-<random>)')
    .option('--batch-rows <n>', 'rows per apply statement', int)
    .option('--lock-timeout <seconds>', 'how long apply waits for writers before it stops', int)
    .option('--wait', 'wait for the preview (or the end) and print it')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; export?: string; at?: string; tables: string[]; keys?: Record<string, Record<string, string | number | boolean>[]>; where?: Record<string, string>; reason: string; sideBySide?: string; requestedBy: string; id?: string; batchRows?: number; lockTimeout?: number; wait?: boolean; json?: boolean }) => {
        if (o.export === undefined && o.at === undefined) throw new UsageError('name the state to go back to: --export <id> or --at <time>');
        return withClient(async (client) => {
          const handle = await startRollback(client, {
            rollbackId: o.id,
            source: o.source,
            target: o.export !== undefined ? { exportId: o.export } : { at: o.at! },
            tables: o.tables,
            keys: o.keys,
            where: o.where,
            mode: o.sideBySide ? 'side-by-side' : 'in-place',
            sideBySideSchema: o.sideBySide,
            requestedBy: o.requestedBy,
            reason: o.reason,
            batchRows: o.batchRows,
            lockTimeoutSeconds: o.lockTimeout,
          });
          return reportStart(handle, o);
        });
      }),
    );

  registerRollbackListCommand(rollback);

  rollback
    .command('status <rollbackId>')
    .description('stage, approvals, progress and outcome of a rollback')
    .option('--json', 'print JSON')
    .action(
      action(async (rollbackId: string, o: { json?: boolean }) =>
        withClient(async (client) => {
          const status = await rollbackHandle(client, rollbackId).status().catch(() => null);
          if (status) return emit(o, { ok: true, ...status }, () => renderStatus(status));
          // The workflow is gone from Temporal (or no worker answers): the catalog still knows how it ended.
          await withCatalogDb(async (catalog) => {
            const record = await rollbackRecord(catalog, rollbackId);
            emit(o, { ok: true, rollbackId, stage: record.stage, outcome: record.outcome, source: record.source, target: record.targetExportId, safetyExportId: record.safetyExportId, validation: record.validation, fromCatalog: true }, () =>
              `rollback ${rollbackId}: ${record.stage}${record.outcome ? ` — ${record.outcome}` : ''} (from the catalog; the workflow did not answer)`,
            );
          }, { permission: 'catalog.read', resource: sourceOfRow('rollbacks', rollbackId) });
        }),
      ),
    );

  rollback
    .command('preview <rollbackId>')
    .description('what the rollback would change: per-table counts, foreign-key impact, conflicts, sample rows')
    .option('--json', 'print JSON')
    .action(
      action(async (rollbackId: string, o: { json?: boolean }) =>
        withCatalogDb(async (catalog) => {
          const record = await rollbackRecord(catalog, rollbackId);
          if (!record.preview) throw new RestorepointError('INPUT_INVALID', `rollback ${rollbackId} has no preview yet (stage ${record.stage})`);
          const digest = previewDigest(record.preview);
          emit(o, { ok: true, rollbackId, stage: record.stage, previewDigest: digest, preview: record.preview, samples: record.samples ?? [] }, () => `rollback ${rollbackId} (${record.stage}), preview digest ${digest}\n${renderPreview(record.preview!, record.samples ?? [])}`);
        }, { permission: 'catalog.read', resource: sourceOfRow('rollbacks', rollbackId) }),
      ),
    );

  registerDecision(rollback, 'approve');
  registerDecision(rollback, 'reject');

  rollback
    .command('withdraw <rollbackId>')
    .description('take back your own rollback while it awaits approval: it ends cancelled, nothing changed (recorded in the ledger)')
    .option('--comment <text>', 'why', '')
    .option('--json', 'print JSON')
    .action(
      action(async (rollbackId: string, o: { comment: string; json?: boolean }) =>
        withClient((client) => withCatalogDb(async (catalog) => {
          // A refusal (someone else's rollback, or one already decided) is a typed error: exit 1 with its code.
          const withdrawal = await rollbackHandle(client, rollbackId, catalog).withdraw(o.comment);
          emit(o, { ok: true, rollbackId, ...withdrawal }, () => `withdrew rollback ${rollbackId} as ${withdrawal.by}; nothing was changed`);
          return EXIT.ok;
        }, { permission: 'catalog.read', resource: sourceOfRow('rollbacks', rollbackId) })),
      ),
    );

  rollback
    .command('undo <rollbackId>')
    .description("start a new rollback back to a finished rollback's safety snapshot, through the same approval")
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--reason <text>', 'why')
    .option('--json', 'print JSON')
    .action(
      action(async (rollbackId: string, o: { requestedBy: string; reason?: string; json?: boolean }) =>
        withClient((client) =>
          withCatalogDb(async (catalog) => {
            const handle = await undoRollback(client, catalog, rollbackId, { requestedBy: o.requestedBy, reason: o.reason });
            emit(o, { ok: true, rollbackId: handle.rollbackId, undoOf: rollbackId }, () => `started rollback ${handle.rollbackId} back to the safety snapshot of ${rollbackId}; approve it as usual`);
          }, { permission: 'catalog.read', resource: sourceOfRow('rollbacks', rollbackId) }),
        ),
      ),
    );
}
