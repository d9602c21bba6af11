import { readAccess } from '../../access/read-access';
import { accessDeliveryWorkflowId, fulfillmentStatus, type AccessItem, type FulfillmentState } from '../../contracts';
import { maskEmail } from '../../log';
import type { Command, CommandResult } from '../command';
import type { OpsContext } from '../context';
import { describeFulfillment, queryState } from '../workflow-lookup';

/** Events `access show` lists, newest first. */
const SHOWN_EVENTS = 10;

/**
 * `access show <email>`: what the product is told about the user (GET /access's answer), their
 * latest access events and whether each reached the product, and their delivery run.
 * `access resend <acc_…>`: delivers that event again (the same id and body), e.g. after the product lost it.
 */
export const access: Command = {
  summary: "show <email>: a user's access, access events and their delivery; resend <acc_…>: deliver an event again",
  usage: 'access show <email> | access resend <accessEventId> [--reason "…"]',
  options: { reason: { type: 'string' } },
  async run(ctx, [verb, arg], values) {
    if (verb === 'show' && arg) return show(ctx, arg);
    if (verb === 'resend' && arg) return resend(ctx, arg, typeof values.reason === 'string' ? values.reason : undefined);
    throw new Error('usage: npm run ops -- access show <email> | access resend <accessEventId> [--reason "…"]');
  },
};

async function show(ctx: OpsContext, email: string): Promise<CommandResult> {
  const found = await readAccess(ctx.db, { email: email.trim().toLowerCase() });
  if (!found) throw new Error('no user has that email');
  const userId = found.user.id;
  const events = await ctx.db.accessEvent.findMany({ where: { userId }, orderBy: { seq: 'desc' }, take: SHOWN_EVENTS });
  const workflowId = accessDeliveryWorkflowId(userId);
  const description = await describeFulfillment(ctx.temporal, workflowId);
  const state: FulfillmentState | null = description?.status.name === 'RUNNING' ? await queryState(ctx.temporal, workflowId) : null;
  const json = {
    user: { id: userId, email: maskEmail(found.user.email) },
    access: found.access,
    events: events.map((e) => ({
      id: e.id,
      reason: e.reason,
      status: e.status,
      created: e.createdAt.toISOString(),
      deliveredAt: e.deliveredAt?.toISOString() ?? null,
      attempts: e.attempts,
      lastError: e.lastError,
      causeEventId: e.causeEventId,
    })),
    delivery: description && {
      workflowId,
      status: fulfillmentStatus(
        description.status.name,
        (description.searchAttributes.FulfillmentStatus?.[0] as string | undefined) ?? null,
      ),
      retrying: state?.retrying ?? null,
      attention: state?.attention ?? null,
    },
  };
  const a = found.access;
  const lines = [
    `user ${userId} · ${json.user.email}`,
    `  access       ${a.active ? 'active' : 'none'} · ${a.seats} seats · ${a.features.join(', ') || '(no features)'}`,
    ...a.items.map(itemLine),
    ...(events.length === 0 ? ['  events       (none written: access events are off, or nothing changed since they were on)'] : []),
    ...json.events.map(
      (e) =>
        `  event        ${e.id} · ${e.reason.padEnd(13)} · ${e.created} · ${e.status}${e.deliveredAt ? ` ${e.deliveredAt}` : ''}` +
        ` · ${e.attempts} attempt(s)${e.lastError && e.status === 'pending' ? ` · last: ${e.lastError}` : ''} · by ${e.causeEventId}`,
    ),
    json.delivery
      ? `  delivery     ${workflowId} · ${json.delivery.status}` +
        (json.delivery.retrying
          ? ` · retrying ${json.delivery.retrying.step} since ${json.delivery.retrying.since}: ${json.delivery.retrying.error}`
          : '') +
        (json.delivery.attention ? ` · waiting for an operator at ${json.delivery.attention.step}: ${json.delivery.attention.error}` : '')
      : `  delivery     no run of ${workflowId} in Temporal`,
  ];
  return { human: lines.join('\n'), json };
}

function itemLine(i: AccessItem): string {
  const state = i.state === 'grace' ? `grace until ${i.graceUntil}` : i.state;
  return `  ${i.kind.padEnd(12)} ${i.id} · ${i.plan ?? '?'} · ${i.source ?? '?'} · ${i.term} · ${state} · ${i.licences} licence(s) · ${i.seats} seats · ${i.features.join(', ') || '(none)'}`;
}

async function resend(ctx: OpsContext, accessEventId: string, reason: string | undefined): Promise<CommandResult> {
  const event = await ctx.db.accessEvent.findUnique({ where: { id: accessEventId }, select: { userId: true, status: true } });
  if (!event) throw new Error(`no access event ${accessEventId}`);
  const why = reason?.trim() || 'resend';
  await ctx.db.accessEvent.update({ where: { id: accessEventId }, data: { status: 'pending', deliveredAt: null } });
  await ctx.db.operatorAction.create({
    data: {
      eventId: accessEventId,
      action: 'resend',
      step: 'deliverAccessEvent',
      by: ctx.operator,
      reason: why,
      applied: true,
      note: null,
    },
  });
  // It goes out before the user's later pending events (delivery follows the events' order).
  await ctx.accessDelivery.wake(event.userId);
  const workflowId = accessDeliveryWorkflowId(event.userId);
  return {
    human: `${accessEventId} (was ${event.status}) queued for delivery again by ${workflowId} (by ${ctx.operator}: ${why})`,
    json: { accessEventId, previous: event.status, workflowId, by: ctx.operator, reason: why },
  };
}
