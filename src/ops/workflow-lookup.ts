import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { statusQuery, type FulfillmentState, type WorkflowStart } from '../contracts';

/** A fulfillment as Temporal knows it, or null when Temporal has no run for the event id. */
export async function describeFulfillment(client: Client, eventId: string): Promise<WorkflowExecutionDescription | null> {
  try {
    return await client.workflow.getHandle(eventId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** The workflow's own account of its steps (needs a worker to answer; null if none does in time). */
export async function queryState(client: Client, eventId: string): Promise<FulfillmentState | null> {
  const asked = await askState(client, eventId, QUERY_DEADLINE_MS);
  return 'state' in asked ? asked.state : null;
}

/** How long a run's `status` query may take unless told otherwise. */
export const QUERY_DEADLINE_MS = 5_000;

/** The run's `status` query, or why it got no answer (an error, or no answer within `deadlineMs`). */
export async function askState(
  client: Client,
  eventId: string,
  deadlineMs: number,
): Promise<{ state: FulfillmentState } | { unanswered: string }> {
  try {
    const state = await client.connection.withDeadline(Date.now() + deadlineMs, () =>
      client.workflow.getHandle(eventId).query(statusQuery),
    );
    return { state };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { unanswered: /deadline/i.test(message) ? `no answer within ${deadlineMs} ms` : message };
  }
}

/** The workflow type and argument the run was started with, read back from its history (a raw
 *  history: its payloads are decoded with the client's codecs, newest-applied first, then converted). */
export async function originalStart(client: Client, eventId: string): Promise<WorkflowStart> {
  const history = await client.workflow.getHandle(eventId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!started?.workflowType?.name || !payload) throw new Error(`cannot read the start input of ${eventId} from its history`);
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded = [payload];
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return { workflowType: started.workflowType.name, input: payloadConverter.fromPayload(decoded[0]) } as WorkflowStart;
}

/** Quotes a value for a Temporal visibility query. */
export const quote = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
