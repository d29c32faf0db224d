import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WorkflowProbe } from './busy-exports';

/** Asks Temporal through `client`; a workflow it does not know is not running. */
export function temporalWorkflowProbe(client: Client): WorkflowProbe {
  return {
    async isRunning(workflowId) {
      try {
        const described = await client.workflow.getHandle(workflowId).describe();
        return described.status.name === 'RUNNING';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}

/** The probe over the worker's own client, for code running inside an activity. */
export function activityWorkflowProbe(): WorkflowProbe {
  return temporalWorkflowProbe(Context.current().client);
}
