import type { temporal } from '@temporalio/proto';

/** One step as the history records it: an activity task, or a local activity's marker. */
export interface HistoryStep {
  name: string;
  /** The last attempt's number (activity task started; local activity marker). */
  attempt: number;
  local: boolean;
}

const json = (data: Uint8Array | null | undefined): unknown => JSON.parse(Buffer.from(data ?? []).toString());

/** The activities a run executed, in history order, local ones (core_local_activity markers) included. */
export function historySteps(history: temporal.api.history.v1.IHistory): HistoryStep[] {
  const scheduled = new Map<string, string>();
  const steps: HistoryStep[] = [];
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(String(e.eventId), a.activityType?.name ?? '');
    const started = e.activityTaskStartedEventAttributes;
    if (started) steps.push({ name: scheduled.get(String(started.scheduledEventId)) ?? '', attempt: started.attempt ?? 0, local: false });
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const data = json(marker.details?.data?.payloads?.[0]?.data) as { activity_type: string; attempt: number };
      steps.push({ name: data.activity_type, attempt: data.attempt, local: true });
    }
  }
  return steps;
}
