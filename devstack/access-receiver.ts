import { createAccessReceiver, type AccessEvent } from '../docs/examples/access-receiver';

/**
 * `npm run dev`'s stand-in for the product (APP_WEBHOOK_URL): the example receiver of
 * docs/examples/access-receiver.ts, printing one line per access event it accepts — ids, reason and
 * access, never the buyer's address (the body carries it, as the product needs it).
 */
export async function startDevAccessReceiver(options: { port: number; secrets: string[]; log: (line: string) => void }) {
  const receiver = createAccessReceiver({
    secrets: options.secrets,
    onEvent: (event, applied) => options.log(describe(event, applied)),
  });
  await new Promise<void>((resolve, reject) => {
    receiver.server.once('error', reject);
    receiver.server.listen(options.port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${options.port}/access-events`,
    close: () =>
      new Promise<void>((resolve) => {
        receiver.server.closeAllConnections();
        receiver.server.close(() => resolve());
      }),
  };
}

function describe(event: AccessEvent, applied: boolean): string {
  const a = event.access;
  const items = a.items.map(
    (i) => `${i.kind} ${i.id} ${i.plan ?? '?'} ${i.state}${i.graceUntil ? ` until ${i.graceUntil}` : ''} (${i.seats} seats)`,
  );
  return (
    `access.updated ${event.id} ${event.reason} · user ${event.user.id} · ${a.active ? 'active' : 'no access'} · ${a.seats} seats · ` +
    `${a.features.join(', ') || 'no features'} · ${items.join('; ')}${applied ? '' : ' (already applied: ignored)'}`
  );
}
