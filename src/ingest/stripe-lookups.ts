/**
 * The landing page's look-ups at Stripe (a session the webhook has not delivered), bounded so that
 * no flood of unknown ids and no slow Stripe can queue the endpoint into an outage:
 * - at most `concurrency` run at once, at most `queue` wait; a look-up waits at most `deadlineMs`
 *   for its turn and its answer together;
 * - at most `perMinute` start in a minute, per replica;
 * - an id Stripe does not know is remembered for `unknownForMs`, and asked again only after.
 * Over a bound the caller gets LookupsBusyError at once (the route answers 503 with Retry-After).
 */
export class LookupsBusyError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface LookupBounds {
  concurrency: number;
  queue: number;
  deadlineMs: number;
  perMinute: number;
  unknownForMs: number;
}

export const LOOKUP_BOUNDS: LookupBounds = { concurrency: 4, queue: 16, deadlineMs: 4_000, perMinute: 240, unknownForMs: 10 * 60_000 };
/** Unknown ids remembered at most: a flood of random ids cannot grow memory without bound. */
const UNKNOWN_REMEMBERED = 10_000;

export function createStripeLookups(bounds: LookupBounds = LOOKUP_BOUNDS, now: () => number = Date.now) {
  let running = 0;
  const waiting: Array<() => void> = [];
  let minute = { start: now(), started: 0 };
  const unknown = new Map<string, number>();

  const budgetLeft = () => {
    if (now() - minute.start >= 60_000) minute = { start: now(), started: 0 };
    return minute.started < bounds.perMinute;
  };
  const retryAfter = () => Math.max(1, Math.ceil((minute.start + 60_000 - now()) / 1000));

  return {
    /** Whether Stripe said recently that it does not know this id. */
    knownUnknown(id: string): boolean {
      const until = unknown.get(id);
      if (until === undefined) return false;
      if (until > now()) return true;
      unknown.delete(id);
      return false;
    },
    rememberUnknown(id: string): void {
      if (unknown.size >= UNKNOWN_REMEMBERED) unknown.delete(unknown.keys().next().value!);
      unknown.set(id, now() + bounds.unknownForMs);
    },
    /** Runs `lookUp` (given the milliseconds its Stripe calls may take) within the bounds, or throws LookupsBusyError. */
    async run<T>(lookUp: (remainingMs: number) => Promise<T>): Promise<T> {
      if (!budgetLeft()) throw new LookupsBusyError(`more than ${bounds.perMinute} Stripe look-ups this minute`, retryAfter());
      if (running >= bounds.concurrency && waiting.length >= bounds.queue)
        throw new LookupsBusyError(`${waiting.length} Stripe look-ups already waiting`, 1);
      const ends = now() + bounds.deadlineMs;
      const deadline = AbortSignal.timeout(bounds.deadlineMs);
      if (running >= bounds.concurrency) {
        await new Promise<void>((resolve, reject) => {
          const turn = () => (deadline.removeEventListener('abort', late), resolve());
          const late = () => {
            waiting.splice(waiting.indexOf(turn), 1);
            reject(new LookupsBusyError(`no Stripe look-up free within ${bounds.deadlineMs} ms`, 1));
          };
          waiting.push(turn);
          deadline.addEventListener('abort', late, { once: true });
        });
      }
      running++;
      minute.started++;
      try {
        return await lookUp(Math.max(1, ends - now()));
      } catch (err) {
        if (now() >= ends) throw new LookupsBusyError(`Stripe did not answer within ${bounds.deadlineMs} ms`, 1, { cause: err });
        throw err;
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
  };
}

export type StripeLookups = ReturnType<typeof createStripeLookups>;
