import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { searchAttributes } from '../contracts';

/** A fulfillment's FulfillmentStatus search attribute (Running, NeedsAttention, …); null when Temporal has no such run. */
export function createRunStatusReader(client: Client) {
  return async function runStatus(workflowId: string): Promise<string | null> {
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      return description.typedSearchAttributes.get(searchAttributes.FulfillmentStatus) ?? description.status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };
}
