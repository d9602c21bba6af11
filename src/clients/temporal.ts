import { Client, Connection } from '@temporalio/client';

/**
 * A Temporal client whose connection is opened on first use, so the API starts (and
 * answers 503 instead of crashing) while Temporal is down.
 */
export function createTemporalClient(address: string, namespace: string): Client {
  return new Client({ connection: Connection.lazy({ address }), namespace });
}
