import type Stripe from 'stripe';

/** What every workflow input says about the event it came from: which, when, whose, which mode. */
export interface EventFacts {
  eventId: string;
  eventType: string;
  created: number;
  account: string | null;
  livemode: boolean;
}

export const eventFacts = (event: Stripe.Event): EventFacts => ({
  eventId: event.id,
  eventType: event.type,
  created: event.created,
  account: event.account ?? null,
  livemode: event.livemode,
});
