import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { billableActions, historyFile, total } from '../../../bench/billable-actions';

const recorded = (name: string) =>
  billableActions(historyFile(JSON.parse(readFileSync(resolve(__dirname, `../../fixtures/histories/${name}.json`), 'utf8'))));

describe('Temporal Cloud billable actions counted from a recorded history', () => {
  it('bills a Sumo purchase for its start, one batch of local activities (every step that gives access) and the email, an activity task', () => {
    const counts = recorded('sumo-new-user');
    expect(Object.fromEntries(counts)).toEqual({
      'workflow started': 1,
      'local activities (one per workflow task)': 1,
      'activity started': 1,
    });
    expect(total(counts)).toBe(3);
  });

  it('bills a run that needed an operator for the attention timer, the operator update, its audit and each status upsert', () => {
    // The email (an activity task, retried once by the server within its round) failed for good, the
    // run waited in NeedsAttention (a timer, a status upsert), an operator's retry Update (its audit
    // an activity task) ran the email again and the run left NeedsAttention (an upsert clearing the
    // attribute); back to normal, it closes without another.
    expect(Object.fromEntries(recorded('sumo-postmark-outage-retried'))).toEqual({
      'workflow started': 1,
      'local activities (one per workflow task)': 1,
      'activity started': 3,
      'activity retried': 1,
      'search-attribute upsert': 2,
      'timer started': 1,
      update: 1,
    });
  });
});
