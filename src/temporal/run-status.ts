import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { fulfillmentStatus, searchAttributes } from '../contracts';

/** A fulfillment's status (Running, NeedsAttention, …, Completed: `fulfillmentStatus`); null when Temporal has no such run. */
export function createRunStatusReader(client: Client) {
  return async function runStatus(workflowId: string): Promise<string | null> {
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      return fulfillmentStatus(description.status.name, description.typedSearchAttributes.get(searchAttributes.FulfillmentStatus) ?? null);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };
}
