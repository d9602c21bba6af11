/**
 * What the HTTP edge, the workflows, the activities and the ops CLI agree on: workflow
 * inputs and results, signals and queries, search-attribute keys, failure type names.
 * Free of Node modules (it is bundled into the workflow sandbox); imports nothing from
 * the rest of the service.
 */
export * from './access';
export * from './failure-types';
export * from './fulfillment';
export * from './operations';
export * from './purchase';
export * from './search-attributes';
export * from './step-policy';
export * from './subscription';
export * from './workflow-starts';
