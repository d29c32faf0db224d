import type { Command } from 'commander';
import { RestorepointError } from '../../../core/errors';
import { planInverse, renderInverseSql, type TrailSelection } from '../../../trail';
import { action, emit, table } from '../output';
import { withSourceClient } from '../trail-session';

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

interface InverseOptions {
  readonly source: string;
  readonly xid?: string[];
  readonly actor?: string;
  readonly since?: string;
  readonly until?: string;
  readonly table?: string[];
  readonly key?: string[];
  readonly sql?: boolean;
  readonly json?: boolean;
}

function selectionOf(o: InverseOptions): TrailSelection {
  const keys = o.key?.map((text) => {
    try {
      return JSON.parse(text) as Record<string, never>;
    } catch {
      throw new RestorepointError('INPUT_INVALID', `--key ${text}: expected a JSON object such as {"film_id": 1}`);
    }
  });
  return { xids: o.xid, actor: o.actor, from: o.since, until: o.until, tables: o.table, keys };
}

/** `trail inverse`: lists how to undo a selection of changes, and the conflicts; changes nothing. */
export function registerTrailInverseCommand(trail: Command): void {
  trail
    .command('inverse')
    .description('plan the undoing of selected changes (a dry run: nothing is changed); filters combine with AND')
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .option('--xid <xid>', 'a transaction id (repeatable)', repeatable)
    .option('--actor <actor>', 'the recorded actor')
    .option('--since <time>', 'changes at or after this ISO 8601 time (with offset)')
    .option('--until <time>', 'changes before this ISO 8601 time')
    .option('--table <schema.table>', 'a tracked table (repeatable)', repeatable)
    .option('--key <json>', 'a primary key as JSON, e.g. {"film_id": 1} (repeatable)', repeatable)
    .option('--sql', 'also print the statements that would undo them')
    .option('--json', 'print JSON')
    .action(
      action(async (o: InverseOptions) => {
        const plan = await withSourceClient(o.source, (client) => planInverse(client, selectionOf(o)));
        const rendered = renderInverseSql(plan);
        emit(o, { source: o.source, ...plan, ...(o.sql ? { sql: rendered } : {}) }, () =>
          [
            `${plan.selected} change(s) selected, ${plan.operations.length} operation(s) to undo them, ${plan.conflicts.length} conflict(s)`,
            plan.operations.length === 0 ? '' : table(['undoes', 'do', 'table', 'key'], plan.operations.map((op) => [op.undoes.position, op.kind, `${op.schema}.${op.table}`, JSON.stringify(op.key)])),
            plan.conflicts.length === 0
              ? ''
              : `conflicts:\n${table(
                  ['entry', 'table', 'key', 'reason', 'later change'],
                  plan.conflicts.map((c) => [c.entry.position, `${c.entry.schema}.${c.entry.table}`, JSON.stringify(c.entry.key), c.reason, c.laterEntry ? `${c.laterEntry.position} ${c.laterEntry.op} by ${c.laterEntry.actor} at ${c.laterEntry.at}` : '']),
                )}`,
            o.sql ? [...rendered.setup.map((s) => `${s};`), ...rendered.statements.map((s) => `-- params: ${JSON.stringify(s.params)}\n${s.sql};`)].join('\n') : '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
      }),
    );
}
