import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

/** One JSON line per activity outcome: what ran, for which workflow, how long, and how it ended. */
export class ActivityOutcomeLog implements ActivityInboundCallsInterceptor {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = Context.current().info;
    const started = Date.now();
    const base = { activity: info.activityType, workflowId: info.workflowExecution?.workflowId, attempt: info.attempt };
    try {
      const result = await next(input);
      this.write(JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'activity completed', ...base, outcome: 'ok', durationMs: Date.now() - started }));
      return result;
    } catch (error) {
      const failure = error as Error;
      this.write(
        JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'activity failed', ...base, outcome: 'failed', error: { type: failure.name, message: failure.message }, durationMs: Date.now() - started }),
      );
      throw error;
    }
  }
}
