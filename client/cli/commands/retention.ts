import fs from 'node:fs';
import type { Command } from 'commander';
import { listRetentionRuns, type RetentionRunRecord } from '../../../catalog/retention-runs-repo';
import { RestorepointError } from '../../../core/errors';
import { formatPlan, retentionPolicySchema, type RetentionPolicyInput } from '../../../core/retention';
import type { RetentionRunSummary } from '../../../core/retention-run-input';
import { readRetentionRun, runRetention } from '../../retention';
import { withCatalogDb, withClient } from '../context';
import { confirmOption, withDryRunNote } from '../confirm';
import { action, emit, table } from '../output';
import { currentUser } from './export';

/** Reads and checks a policy file, so a bad one is bad usage (exit 2) before anything starts. */
export function readPolicyFile(file: string | undefined): RetentionPolicyInput | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new RestorepointError('INPUT_INVALID', `--policy ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RestorepointError('INPUT_INVALID', `--policy ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = retentionPolicySchema.safeParse(value);
  if (!parsed.success) {
    throw new RestorepointError('INPUT_INVALID', `--policy ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return value as RetentionPolicyInput;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function appliedLine(summary: RetentionRunSummary): string {
  const a = summary.applied;
  return `applied: ${a.deleted} deleted (${a.objectsDeleted} objects, ${mb(a.bytesDeleted)}), ${a.tiered} tiered (${a.objectsTiered} objects moved), ${a.skipped} skipped (changed since planning or unusable rows; see the ledger), ${a.orphansRemoved ?? 0} orphaned scratch files removed (${mb(a.orphanBytesRemoved ?? 0)})`;
}

function showRun(run: RetentionRunRecord): string {
  const head = `retention run ${run.id} (${run.dryRun ? 'dry run' : 'real run'}) by ${run.requestedBy}, ${run.status}`;
  const outcome = run.outcome
    ? `\noutcome: ${run.outcome.deleted} deleted, ${run.outcome.tiered} tiered, ${run.outcome.skipped} skipped${run.outcome.error ? `; failed: ${run.outcome.error}` : ''}`
    : '';
  return `${head}${outcome}\n\n${formatPlan(run.plan)}`;
}

export function registerRetentionCommands(program: Command): void {
  const retention = program.command('retention').description('rotate old exports by policy (docs/retention.md)');
  const common = (c: Command) =>
    c
      .option('--policy <file>', 'a JSON retention policy (default: the `retention` key of the config)')
      .option('--requested-by <who>', 'recorded in the ledger', currentUser())
      .option('--json', 'print JSON');

  common(
    retention
      .command('plan')
      .description('dry run: every export with keep, delete or tier and the rule that decided it; changes nothing'),
  ).action(
    action(async (o: { policy?: string; requestedBy: string; json?: boolean }) => {
      const policy = readPolicyFile(o.policy);
      const summary = await withClient((client) => runRetention(client, { policy, dryRun: true, requestedBy: o.requestedBy }));
      const run = await withCatalogDb((db) => readRetentionRun(db, summary.planId));
      emit(o, { ok: true, planId: run.id, policy: run.policy, plan: run.plan }, () => `plan ${run.id}\n${formatPlan(run.plan)}`);
    }),
  );

  confirmOption(
    common(
      retention
        .command('run')
        .description('plan, then with --confirm delete and tier what the plan says (held, busy and newest-verified exports are never deleted); without it, the plan only'),
    ),
  ).action(
    action(async (o: { policy?: string; requestedBy: string; confirm?: boolean; json?: boolean }) => {
      const policy = readPolicyFile(o.policy);
      const confirmed = Boolean(o.confirm);
      const summary = await withClient((client) => runRetention(client, { policy, dryRun: !confirmed, requestedBy: o.requestedBy }));
      const run = await withCatalogDb((db) => readRetentionRun(db, summary.planId));
      const human = () => withDryRunNote(confirmed, `plan ${run.id}\n${formatPlan(run.plan)}${confirmed ? `\n\n${appliedLine(summary)}` : ''}`);
      emit(o, { ok: true, ...summary, plan: run.plan }, human);
    }),
  );

  retention
    .command('show <planId>')
    .description('a past retention run: its plan, and what it deleted and tiered')
    .option('--json', 'print JSON')
    .action(
      action(async (planId: string, o: { json?: boolean }) =>
        withCatalogDb(async (db) => {
          const run = await readRetentionRun(db, planId);
          emit(o, run, () => showRun(run));
        }),
      ),
    );

  retention
    .command('runs')
    .description('retention runs, newest first')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { limit: string; json?: boolean }) =>
        withCatalogDb(async (db) => {
          const runs = await listRetentionRuns(db, Number(o.limit));
          emit(o, runs, () =>
            table(
              ['plan', 'kind', 'status', 'planned', 'deleted', 'tiered', 'skipped', 'by'],
              runs.map((r) => [r.id, r.dryRun ? 'dry run' : 'run', r.status, r.plannedAt.toISOString(), r.outcome?.deleted, r.outcome?.tiered, r.outcome?.skipped, r.requestedBy]),
            ),
          );
        }),
      ),
    );
}
