import type { Command } from 'commander';

/**
 * wal-g's convention for destructive commands: without `--confirm` they only print what they
 * would do and change nothing (exit 0); with it they act. Every such command uses these two, so
 * the flag, its help text and the dry-run note read the same everywhere.
 */
export function confirmOption(command: Command): Command {
  return command.option('--confirm', 'act; without it, only print what would be done and change nothing');
}

/** The line that ends a dry run's human output. */
export const DRY_RUN_NOTE = 'dry run: nothing was changed; run again with --confirm to do it';

/** Appends the dry-run note to a human rendering when the command was not confirmed. */
export function withDryRunNote(confirmed: boolean, text: string): string {
  return confirmed ? text : `${text}\n${DRY_RUN_NOTE}`;
}
