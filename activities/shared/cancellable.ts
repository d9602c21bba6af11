import { CancelledFailure, Context } from '@temporalio/activity';

/**
 * A call to a dependency that ends when the attempt does: when the step's start-to-close runs out
 * (or the run is cancelled), the SDK aborts the attempt's cancellation signal and this rejects at
 * once, so a timed-out attempt does not go on in the background holding a slot. The Stripe and
 * Postmark clients take no per-call signal, so their request may finish unseen; their own timeouts
 * (8 s and 10 s) sit inside the step's 30 s. Outside an activity (a test calling it directly) it
 * just awaits the call.
 */
export function untilCancelled<T>(call: Promise<T>): Promise<T> {
  const signal = activitySignal();
  if (!signal) return call;
  if (signal.aborted) return Promise.reject(new CancelledFailure('the attempt was cancelled before the call'));
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new CancelledFailure('the attempt ended (its timeout, or the run cancelled) before the answer'));
    signal.addEventListener('abort', stop, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/** Throws when the attempt has already ended: nothing more may be started for it (a send above all). */
export function throwIfCancelled(): void {
  if (activitySignal()?.aborted) throw new CancelledFailure('the attempt ended before the call');
}

function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
