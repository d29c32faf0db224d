import type { Command } from 'commander';
import { loadConfig } from '../../../config/load';
import { exportInputSchema, type ExportRequest } from '../../../core/export-input';
import { RestorepointError } from '../../../core/errors';
import type { RetentionRunRequest } from '../../../core/retention-run-input';
import { scheduledVerificationInputSchema } from '../../../core/verification/verification-input';
import { VERIFICATION_LEVELS } from '../../../core/verification/verification-level';
import type { AlertWatchRequest } from '../../../core/alerts/alert';
import type { ScheduledExportInput } from '../../../workflows/scheduled-export-workflow';
import { describeSchedule, listSchedules, removeSchedule, saveSchedule, triggerSchedule, type ScheduleRequest, type ScheduleTiming } from '../../schedules';
import { withClient } from '../context';
import { confirmOption, withDryRunNote } from '../confirm';
import { action, emit, table } from '../output';
import { patternList, schemaList } from '../name-list';
import { parseSize } from '../parse-size';
import { parseTags } from './export';
import { readPolicyFile } from './retention';

interface TimingOptions {
  readonly cron?: string;
  readonly every?: string;
  readonly timezone?: string;
}

function timing(o: TimingOptions): ScheduleTiming {
  if ((o.cron === undefined) === (o.every === undefined)) throw new RestorepointError('INPUT_INVALID', 'give exactly one of --cron <expression> or --every <interval>');
  if (o.every !== undefined) {
    if (o.timezone !== undefined) throw new RestorepointError('INPUT_INVALID', '--timezone applies to --cron only');
    return { every: o.every };
  }
  return { cron: o.cron as string, timezone: o.timezone };
}

const when = (t: ScheduleTiming) => ('every' in t ? `every ${t.every}` : `cron "${t.cron}" ${t.timezone ?? 'UTC'}`);

/** Adds the timing options and --id, --json to a schedule subcommand. */
function scheduled(c: Command, defaultId: string): Command {
  return c
    .option('--cron <expression>', 'when to run: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"')
    .option('--every <interval>', 'or how often: 30m, 6h, 1d')
    .option('--timezone <iana>', 'time zone of --cron (default UTC)')
    .option('--id <scheduleId>', `schedule id; the same id updates that schedule instead of adding one (default ${defaultId})`)
    .option('--json', 'print JSON');
}

async function save(request: ScheduleRequest, o: { json?: boolean }): Promise<void> {
  // The worker authorizes schedule.create, issues the runs' least-privilege service token and records both.
  const outcome = await withClient((client) => saveSchedule(client, request));
  emit(o, { ok: true, ...outcome, kind: request.kind, description: request.description }, () =>
    `${outcome.created ? 'created' : 'updated'} schedule ${outcome.scheduleId}: ${request.description}`,
  );
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('Temporal Schedules that export, verify and rotate without a person (overlap: a run due while the last one runs is skipped)');

  scheduled(schedule.command('retention').description('run retention (plan, then delete and tier) on a schedule'), 'restorepoint-retention')
    .option('--policy <file>', 'a JSON retention policy stored with the schedule (default: the worker config `retention` key at each run)')
    .action(
      action(async (o: TimingOptions & { id?: string; policy?: string; json?: boolean }) => {
        const t = timing(o);
        const policy = readPolicyFile(o.policy);
        const scheduleId = o.id ?? 'restorepoint-retention';
        if (!policy && !loadConfig().retention) {
          process.stderr.write('restorepoint: note: no --policy, and this config has no `retention` key: each run fails unless the worker config has one\n');
        }
        const input: RetentionRunRequest = { policy, dryRun: false, requestedBy: `schedule:${scheduleId}` };
        await save({ scheduleId, kind: 'retention', timing: t, workflowType: 'retentionWorkflow', args: [input], description: `retention ${when(t)}, policy ${policy ? `from ${o.policy}` : 'from the worker config'}` }, o);
      }),
    );

  scheduled(schedule.command('export').description('export a source on a schedule, e.g. a weekly full and hourly --incremental'), 'restorepoint-export-<source>-<full|incremental>')
    .requiredOption('--source <name>', 'a configured source connection')
    .requiredOption('--to <destination>', 'gs://bucket/prefix or file:///absolute/dir')
    .option('--incremental', 'store only the changes since the previous export of the chain')
    .option('--schemas <list>', 'only these schemas (default: the whole database, every non-system schema); makes each export partial', schemaList)
    .option('--tables <list>', 'only tables matching these table or schema.table patterns, * wildcards; makes each export partial', patternList)
    .option('--exclude <list>', 'leave out tables matching these patterns; makes each export partial', patternList)
    .option('--format <format>', 'csv, jsonl or parquet', 'csv')
    .option('--compression <codec>', 'zstd, gzip or none', 'zstd')
    .option('--tag <key=value>', 'environment=, data-domain=, purpose= (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .action(
      action(async (o: TimingOptions & Record<string, unknown>) => {
        const t = timing(o);
        const mode = o.incremental ? 'incremental' : 'full';
        const scheduleId = (o.id as string | undefined) ?? `restorepoint-export-${o.source as string}-${mode}`;
        // `mode` is spelled out so this compiles whether or not the export input already has it.
        const request: Omit<ExportRequest, 'exportId'> & { readonly mode?: 'full' | 'incremental' } = {
          source: o.source as string,
          destination: o.to as string,
          schemas: (o.schemas as string[] | undefined) ?? [],
          tables: (o.tables as string[] | undefined) ?? [],
          exclude: (o.exclude as string[] | undefined) ?? [],
          format: o.format as 'csv',
          compression: o.compression as 'zstd',
          tags: { ...parseTags((o.tag as string[] | undefined) ?? []), requestedBy: `schedule:${scheduleId}` },
          requestedBy: `schedule:${scheduleId}`,
          mode,
        };
        // Checked now with a stand-in id, so a bad destination fails here rather than at 3 a.m.
        const checked = exportInputSchema.safeParse({ ...request, exportId: 'scheduled' });
        if (!checked.success) throw new RestorepointError('INPUT_INVALID', `invalid export options: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const input: ScheduledExportInput = { export: request };
        await save({ scheduleId, kind: 'export', timing: t, workflowType: 'scheduledExportWorkflow', args: [input], resource: request.source, description: `${mode} export of ${request.source} to ${request.destination} ${when(t)}` }, { json: Boolean(o.json) });
      }),
    );

  scheduled(schedule.command('verify').description('re-verify exports on a schedule: those not verified since they changed, plus a sample of older ones'), 'restorepoint-verify-<level>')
    .option('--level <level>', VERIFICATION_LEVELS.join('|'), 'checksums')
    .option('--sample-older <n>', 'already-verified exports to re-read in full each run', '2')
    .option('--max-rate <size>', 'most bytes each verification reads back from the store per second, e.g. 50MB')
    .action(
      action(async (o: TimingOptions & { id?: string; level: string; sampleOlder: string; maxRate?: string; json?: boolean }) => {
        const t = timing(o);
        const scheduleId = o.id ?? `restorepoint-verify-${o.level}`;
        const maxBytesPerSecond = o.maxRate ? parseSize(o.maxRate, '--max-rate') : undefined;
        const parsed = scheduledVerificationInputSchema.safeParse({ level: o.level, sampleOlder: Number(o.sampleOlder), requestedBy: `schedule:${scheduleId}`, maxBytesPerSecond });
        if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid verification options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'level'}: ${i.message}`).join('; ')}`);
        const input = parsed.data;
        await save(
          { scheduleId, kind: 'verify', timing: t, workflowType: 'scheduledVerificationWorkflow', args: [input], description: `${input.level} verification ${when(t)}, sampling ${input.sampleOlder} older` },
          o,
        );
      }),
    );

  scheduled(schedule.command('detect').description('watch the change trails for accidents and the sources for missed objectives, raising alerts (docs/observability.md)'), 'restorepoint-detect')
    .option('--source <name>', 'only this source (repeatable; default every configured source)', (v: string, all: string[] = []) => [...all, v])
    .action(
      action(async (o: TimingOptions & { id?: string; source?: string[]; json?: boolean }) => {
        const t = timing(o);
        const scheduleId = o.id ?? 'restorepoint-detect';
        const input: AlertWatchRequest = o.source ? { sources: o.source } : {};
        const what = o.source ? o.source.join(', ') : 'every configured source';
        await save({ scheduleId, kind: 'detect', timing: t, workflowType: 'alertWatchWorkflow', args: [input], resource: o.source?.length === 1 ? o.source[0] : undefined, description: `accident detection and objectives of ${what} ${when(t)}` }, o);
      }),
    );

  schedule
    .command('list')
    .description("restorepoint's schedules with their next and last run")
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) =>
        withClient(async (client) => {
          const schedules = await listSchedules(client);
          emit(o, schedules, () =>
            schedules.length === 0
              ? 'no schedules'
              : table(
                  ['id', 'kind', 'what', 'paused', 'next run', 'last run', 'last workflow'],
                  schedules.map((s) => [s.scheduleId, s.kind, s.description, s.paused ? 'yes' : '', s.nextRunAt, s.lastRun?.scheduledAt, s.lastRun?.workflowId]),
                ),
          );
        }),
      ),
    );

  confirmOption(schedule.command('delete <scheduleId>').description('delete a schedule with --confirm; a run it already started goes on'))
    .option('--json', 'print JSON')
    .action(
      action(async (scheduleId: string, o: { confirm?: boolean; json?: boolean }) =>
        withClient(async (client) => {
          if (!o.confirm) {
            const found = await describeSchedule(client, scheduleId);
            emit(o, { ok: true, dryRun: true, scheduleId, deleted: false, schedule: found }, () =>
              withDryRunNote(false, found ? `would delete schedule ${scheduleId}: ${found.description}${found.nextRunAt ? ` (next run ${found.nextRunAt})` : ''}` : `no schedule ${scheduleId}`),
            );
            return;
          }
          const deleted = await removeSchedule(client, scheduleId);
          emit(o, { ok: true, dryRun: false, scheduleId, deleted }, () => (deleted ? `deleted schedule ${scheduleId}` : `no schedule ${scheduleId}`));
        }),
      ),
    );

  schedule
    .command('trigger <scheduleId>')
    .description('start one run of a schedule now (skipped if its previous run is still going)')
    .option('--json', 'print JSON')
    .action(
      action(async (scheduleId: string, o: { json?: boolean }) =>
        withClient(async (client) => {
          await triggerSchedule(client, scheduleId);
          emit(o, { ok: true, scheduleId }, () => `triggered schedule ${scheduleId}`);
        }),
      ),
    );
}
