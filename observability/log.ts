import pino, { type Logger } from 'pino';
import { scrubDeep, scrubSecrets, SECRET_KEYS } from './redact';

export type { Logger } from 'pino';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogOptions {
  readonly level: LogLevel;
  /** Which process writes: `restorepoint-worker`, `restorepoint-cli`. */
  readonly name: string;
  /** 1 (stdout) for the worker, 2 (stderr) for the CLI's diagnostics, whose stdout is the command's output. */
  readonly fd?: 1 | 2;
  /** Tests collect lines here instead. */
  readonly write?: (line: string) => void;
}

/**
 * restorepoint's one log: pino JSON lines (`level` as a label, `time` ISO 8601). Secrets never
 * reach it: keys such as `password` or `token` are censored at any depth, and every string
 * (messages, fields, errors' messages and stacks: errors become plain data) has URL passwords, `password=` values and
 * bearer tokens replaced by `***`.
 */
export function createLogger(options: LogOptions): Logger {
  const destination = options.write ? { write: options.write } : pino.destination({ fd: options.fd ?? 1, sync: true });
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => scrubDeep(record) as Record<string, unknown>,
      },
      // pino's own err serializer would undo the plain-data form above.
      serializers: { err: (error: unknown) => error },
      redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '***' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
