import type { LogLevel as TemporalLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from 'pino';

const LEVELS: Readonly<Record<TemporalLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'>> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal runtime's logger (`Runtime.install({ logger })`): the SDK's own lines, workflow
 * and activity context loggers, and Core's lines when forwarded, all written to restorepoint's
 * pino log as `component: "temporal"` records; pino applies the level and the redaction.
 */
export class PinoTemporalLogger implements TemporalLogger {
  private readonly pino: Logger;

  constructor(log: Logger) {
    this.pino = log.child({ component: 'temporal' });
  }

  log(level: TemporalLevel, message: string, meta?: LogMetadata): void {
    this.pino[LEVELS[level] ?? 'info']({ ...meta }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
