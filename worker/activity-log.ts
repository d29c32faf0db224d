import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

/**
 * One JSON line per activity outcome: what ran, for which workflow, how long, and how it
 * ended. Successes are `info`, failures `error`; lines below `minLevel` are not written.
 */
export class ActivityOutcomeLog implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly minLevel: LogLevel = 'info',
    private readonly output: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  private log(level: LogLevel, fields: Record<string, unknown>): void {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(this.minLevel)) return;
    this.output(JSON.stringify({ level, time: new Date().toISOString(), ...fields }));
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = Context.current().info;
    const started = Date.now();
    const base = { activity: info.activityType, workflowId: info.workflowExecution?.workflowId, attempt: info.attempt };
    try {
      const result = await next(input);
      this.log('info', { msg: 'activity completed', ...base, outcome: 'ok', durationMs: Date.now() - started });
      return result;
    } catch (error) {
      const failure = error as Error;
      this.log('error', { msg: 'activity failed', ...base, outcome: 'failed', error: { type: failure.name, message: failure.message }, durationMs: Date.now() - started });
      throw error;
    }
  }
}
