import { isRestorepointError } from '../../core/errors';
import { redactSecrets } from '../../core/redact';
import { diagnostics } from './diagnostics';

/** Exit codes every command keeps: 0 ok, 1 the work failed, 2 the command was used wrongly. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface OutputOptions {
  readonly json?: boolean;
}

/** Prints a result: JSON with --json, otherwise the human rendering. */
export function emit(options: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** Formats rows as an aligned text table. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * Refusals of what the caller typed (a rollback's row predicate is input too), not failures of the work:
 * an unknown source name, or an export scope holding what cannot be exported, is one too.
 */
const BAD_INPUT_CODES = ['INPUT_INVALID', 'CONFIG_INVALID', 'ROLLBACK_SCOPE_INVALID', 'SOURCE_UNKNOWN', 'EXPORT_UNSUPPORTED'];

/** Wraps a command action: typed errors become a message and exit 1 (or 2 for bad input). */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = (await run(...args)) ?? EXIT.ok;
    } catch (error) {
      const json = process.argv.includes('--json');
      report(json, error as Error);
      const badUsage = error instanceof UsageError || BAD_INPUT_CODES.includes(innermost(error as Error).code);
      process.exitCode = badUsage ? EXIT.usage : EXIT.failed;
    }
  };
}

/**
 * Temporal wraps a workflow's failure (WorkflowFailedError → ActivityFailure →
 * ApplicationFailure); the innermost cause carries our code and the useful message.
 */
function innermost(error: Error): { code: string; message: string } {
  let current: Error = error;
  while (current.cause instanceof Error) current = current.cause;
  const type = (current as Error & { type?: string }).type;
  return { code: isRestorepointError(current) ? current.code : (type ?? current.name), message: current.message };
}

function report(json: boolean, failure: Error): void {
  const { code } = innermost(failure);
  const message = redactSecrets(innermost(failure).message);
  diagnostics().debug({ code, err: failure }, 'command failed');
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  else process.stderr.write(`restorepoint: ${code}: ${message}\n`);
}
