import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes, type FulfillmentState, type FulfillmentStatus } from '../../src/contracts';

/**
 * What a run tells about itself: the `status` query's state, the details the Temporal UI shows,
 * and the FulfillmentStatus search attribute.
 *
 * The attribute is absent while a run goes normally (so the common run costs no upsert: a billable
 * action and a visibility write). It is set while something is unusual — Retrying, NeedsAttention —
 * and Completed while a finished run stays open (a grace review's wait). A run that showed one says
 * how it ended as it closes; one that never did reads its end from ExecutionStatus. A run that is
 * terminated or cancelled from outside keeps what it showed, so every query of an open status also
 * asks `ExecutionStatus = 'Running'` (`runsWithStatus`).
 */
export class RunStatus {
  readonly state: FulfillmentState = {
    status: 'Running',
    currentStep: null,
    steps: [],
    attention: null,
    audit: [],
    retrying: null,
  };
  /** The details while nothing is wrong (e.g. "Sumo purchase · tier … · new user"). */
  private normal = '';
  /** The attribute's value now; null: absent. */
  private shown: FulfillmentStatus | null = null;

  /** What the run's details say while nothing is wrong. */
  describe(text: string): void {
    this.normal = text;
    if (this.state.status === 'Running' || this.state.status === 'Completed') setCurrentDetails(text);
  }

  /**
   * The one verb for a change of status, with what the UI's details should say (default: the normal
   * details). Running clears the attribute; Completed is shown only once the run waits (`beforeWait`).
   */
  set(status: FulfillmentStatus, details?: string): void {
    this.state.status = status;
    setCurrentDetails(details ?? this.normal);
    if (status !== 'Completed') this.show(status === 'Running' ? null : status);
  }

  /** Before a durable wait (a timer, an operator): the attribute says what the run is. */
  beforeWait(): void {
    this.show(this.state.status === 'Running' ? null : this.state.status);
  }

  /** As the run closes: one that ever showed an attribute says how it ended. */
  close(status: 'Completed' | 'Failed'): void {
    this.state.status = status;
    this.state.currentStep = null;
    if (this.shown !== null) this.show(status);
  }

  private show(value: FulfillmentStatus | null): void {
    if (value === this.shown) return;
    upsertSearchAttributes([{ key: searchAttributes.FulfillmentStatus, value }]);
    this.shown = value;
  }
}
