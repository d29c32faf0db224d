import { isRestorepointError } from '../../core/errors';

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

/** Wraps a command action: typed errors become a message and exit 1 (or 2 for bad input). */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = (await run(...args)) ?? EXIT.ok;
    } catch (error) {
      const json = process.argv.includes('--json');
      if (error instanceof UsageError || (isRestorepointError(error) && ['INPUT_INVALID', 'CONFIG_INVALID'].includes(error.code))) {
        report(json, error as Error);
        process.exitCode = EXIT.usage;
      } else {
        report(json, error as Error);
        process.exitCode = EXIT.failed;
      }
    }
  };
}

function report(json: boolean, error: Error): void {
  const code = isRestorepointError(error) ? error.code : error.name;
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code, message: error.message } })}\n`);
  else process.stderr.write(`restorepoint: ${code}: ${error.message}\n`);
}
