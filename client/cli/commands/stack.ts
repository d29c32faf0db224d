import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp } from '../../../stack/stack';
import { diagnostics } from '../diagnostics';
import { action, emit, EXIT, table } from '../output';

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('the local stack: Temporal dev server, PostgreSQL, fake-gcs-server');

  stack
    .command('up')
    .description('start every service that is not running yet (harmless when all are)')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) => {
        const state = await stackUp((line) => diagnostics().info({ command: 'stack up' }, line));
        const status = await stackStatus(state);
        emit(options, { ok: true, services: status }, () => table(['service', 'healthy', 'where'], status.map((s) => [s.name, s.healthy, s.detail])));
      }),
    );

  stack
    .command('down')
    .description('stop every process the stack started')
    .option('--purge', 'also delete the local cluster, objects and Temporal history')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { purge?: boolean; json?: boolean }) => {
        await stackDown({ purge: options.purge });
        emit(options, { ok: true }, () => 'stack stopped');
      }),
    );

  stack
    .command('status')
    .description('health of each service; exits 1 when any is down')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) => {
        const status = await stackStatus();
        const healthy = status.length > 0 && status.every((s) => s.healthy);
        emit(options, { ok: healthy, services: status }, () =>
          status.length === 0 ? 'stack is not running (restorepoint stack up)' : table(['service', 'healthy', 'where'], status.map((s) => [s.name, s.healthy, s.detail])),
        );
        return healthy ? EXIT.ok : EXIT.failed;
      }),
    );
}
