import { createLogger, type LogLevel, type Logger } from '../../observability/log';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
let logger: Logger | undefined;

/**
 * The CLI's diagnostics: the same pino JSON log as the worker's, on stderr (stdout is the
 * command's output). The level comes from RESTOREPOINT_LOG_LEVEL or LOG_LEVEL, read directly
 * so that a broken config can still be diagnosed.
 */
export function diagnostics(env: NodeJS.ProcessEnv = process.env): Logger {
  const wanted = env.RESTOREPOINT_LOG_LEVEL || env.LOG_LEVEL || 'info';
  logger ??= createLogger({ level: LEVELS.includes(wanted as LogLevel) ? (wanted as LogLevel) : 'info', name: 'restorepoint-cli', fd: 2 });
  return logger;
}
