import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/**
 * Temporal Cloud's billable actions in one run's recorded history, by kind, as
 * https://docs.temporal.io/cloud/actions lists them (the page maps each action to its history
 * event type):
 * - workflow started (WorkflowExecutionStarted; search attributes given at start are free);
 * - activity started (ActivityTaskScheduled) and each retry (ActivityTaskStarted's attempt − 1);
 * - local activities: every RecordMarker of one workflow task together is ONE action, each
 *   retry after the first attempt one more (WorkflowTaskCompleted's meteringMetadata);
 * - timer started; signal received; update accepted; child workflow initiated (two);
 * - search-attribute upsert (each UpsertWorkflowSearchAttributes, except one that only sets
 *   TemporalChangeVersion, which patched() writes and Cloud does not bill).
 * Not in a history, so not counted here: activity heartbeats that reach the server (the bench
 * counts them from the server's metrics), queries (the UI's stack trace is one) and workflow
 * task heartbeats (a local activity running past the workflow task timeout).
 */
export function billableActions(events: HistoryEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (kind: string, n = 1) => n > 0 && counts.set(kind, (counts.get(kind) ?? 0) + n);
  let markersInTask = false;
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('workflow started');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        add('activity started');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activity retried', (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        markersInTask = false;
        add(
          'local activity retried',
          event.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0,
        );
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (!markersInTask) add('local activities (one per workflow task)');
        markersInTask = true;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        add('timer started');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        add('signal');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('child workflow started', 2);
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (keys.some((k) => k !== 'TemporalChangeVersion')) add('search-attribute upsert');
        break;
      }
    }
  }
  return counts;
}

/** A recorded history file (`temporal workflow show --output json`, test/fixtures/histories). */
export const historyFile = (json: unknown): HistoryEvent[] => historyFromJSON(json).events ?? [];

export const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
