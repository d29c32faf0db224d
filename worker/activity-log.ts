import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * One log record per activity outcome: what ran, for which workflow, how long, and how it
 * ended. Successes are `info`, failures `error`; the logger's level decides what is written.
 */
export class ActivityOutcomeLog implements ActivityInboundCallsInterceptor {
  constructor(private readonly log: Logger) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = Context.current().info;
    const started = Date.now();
    const base = { activity: info.activityType, workflowId: info.workflowExecution?.workflowId, attempt: info.attempt };
    try {
      const result = await next(input);
      this.log.info({ ...base, outcome: 'ok', durationMs: Date.now() - started }, 'activity completed');
      return result;
    } catch (error) {
      const failure = error as Error;
      this.log.error({ ...base, outcome: 'failed', error: { type: failure.name, message: failure.message }, durationMs: Date.now() - started }, 'activity failed');
      throw error;
    }
  }
}
