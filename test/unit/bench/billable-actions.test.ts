import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { billableActions, historyFile, total } from '../../../bench/billable-actions';

const recorded = (name: string) =>
  billableActions(historyFile(JSON.parse(readFileSync(resolve(__dirname, `../../fixtures/histories/${name}.json`), 'utf8'))));

describe('Temporal Cloud billable actions counted from a recorded history', () => {
  it('bills a Sumo purchase for its start, one batch of local activities per workflow task, the email activity and the final status upsert', () => {
    const counts = recorded('sumo-new-user');
    expect(Object.fromEntries(counts)).toEqual({
      'workflow started': 1,
      'local activities (one per workflow task)': 2,
      'activity started': 1,
      'search-attribute upsert': 1,
    });
    expect(total(counts)).toBe(5);
  });

  it('bills a run that needed an operator for each retry, the attention timer, the operator update and each status upsert', () => {
    // The email failed on its 2nd attempt (one retry), waited in NeedsAttention (a timer, a status
    // upsert), an operator's retry Update ran it again, and the run completed (a status upsert).
    expect(Object.fromEntries(recorded('sumo-postmark-outage-retried'))).toEqual({
      'workflow started': 1,
      'local activities (one per workflow task)': 2,
      'activity started': 3,
      'activity retried': 1,
      'search-attribute upsert': 3,
      'timer started': 1,
      update: 1,
    });
  });
});
