import type { Command } from '../command';
import { describeFulfillment, originalStart, queryState } from '../workflow-lookup';
import { maskEmail } from '../../log';
import { fulfillmentStatus, type FulfillmentState } from '../../contracts';
import { findPurchase, purchaseJson, purchaseLines, type PurchaseJson } from './show-purchase';

/** `show <eventId>`: the workflow's state and steps, and what the database holds for it. */
export const show: Command = {
  summary: 'workflow state, steps, audit trail, and the user/subscription/entitlements/emails in the database',
  usage: 'show <eventId>',
  async run(ctx, [eventId]) {
    if (!eventId) throw new Error('usage: npm run ops -- show <eventId>');
    const description = await describeFulfillment(ctx.temporal, eventId);
    const ledger = await ctx.db.stripeEvent.findUnique({ where: { id: eventId } });
    if (!description && !ledger)
      throw new Error(
        `no fulfillment for ${eventId}: neither Temporal nor the database has seen it (try: npm run ops -- replay ${eventId})`,
      );

    const state = description ? await queryState(ctx.temporal, eventId) : null;
    const start = description ? await originalStart(ctx.temporal, eventId).catch(() => null) : null;
    const subscriptionId =
      start?.workflowType === 'fulfillCheckout'
        ? start.input.subscriptionId
        : start?.workflowType === 'syncSubscription'
          ? start.input.stripeSubscriptionId
          : null;
    const subscription = subscriptionId
      ? await ctx.db.subscription.findUnique({
          where: { stripeSubscriptionId: subscriptionId },
          include: { entitlements: { orderBy: { feature: 'asc' } }, user: true },
        })
      : null;
    const purchase = await findPurchase(ctx, start);
    const owner = subscription?.user ?? purchase?.user ?? null;
    const emails = owner ? await ctx.db.emailDelivery.findMany({ where: { userId: owner.id }, orderBy: { createdAt: 'asc' } }) : [];
    const audit = await ctx.db.operatorAction.findMany({ where: { eventId }, orderBy: { createdAt: 'asc' } });
    const failure =
      description?.status.name === 'FAILED'
        ? await ctx.temporal.workflow
            .getHandle(eventId)
            .result()
            .then(
              () => null,
              (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
            )
        : null;

    const status = description
      ? fulfillmentStatus(description.status.name, (description.searchAttributes.FulfillmentStatus?.[0] as string | undefined) ?? null)
      : 'unknown to Temporal';
    const json: ShowJson = {
      eventId,
      workflow: description && {
        type: description.type,
        execution: description.status.name,
        status,
        started: description.startTime.toISOString(),
        closed: description.closeTime?.toISOString() ?? null,
        failure,
      },
      state,
      ledger: ledger && {
        status: ledger.status,
        deliveries: ledger.deliveries,
        lastError: ledger.lastError,
        firstReceivedAt: ledger.firstReceivedAt.toISOString(),
      },
      user: owner
        ? {
            id: owner.id,
            email: maskEmail(owner.email),
            source: owner.source,
            createdByEventId: owner.createdByEventId,
          }
        : null,
      subscription: subscription && {
        stripeSubscriptionId: subscription.stripeSubscriptionId,
        status: subscription.status,
        tierId: subscription.tierId,
        plan: subscription.plan,
        quantity: subscription.quantity,
        seatLimit: subscription.seatLimit,
        hasAccess: subscription.hasAccess,
        cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
        currentPeriodEnd: subscription.currentPeriodEnd?.toISOString() ?? null,
        entitlements: subscription.entitlements.map((e) => e.feature),
      },
      purchase: purchase && purchaseJson(purchase),
      emails: emails.map((e) => ({
        kind: e.kind,
        status: e.status,
        postmarkMessageId: e.postmarkMessageId,
        eventId: e.eventId,
        sentAt: e.sentAt?.toISOString() ?? null,
      })),
      audit: audit.map((a) => ({
        action: a.action,
        step: a.step,
        by: a.by,
        reason: a.reason,
        applied: a.applied,
        note: a.note,
        at: a.createdAt.toISOString(),
      })),
    };
    return { human: humanShow(json), json };
  },
};

function humanShow(s: ShowJson): string {
  const lines: string[] = [`${s.eventId}`];
  if (s.workflow) {
    lines.push(
      `  workflow     ${s.workflow.type} · ${s.workflow.status} (${s.workflow.execution}) · started ${s.workflow.started}${s.workflow.closed ? ` · closed ${s.workflow.closed}` : ''}`,
    );
    if (s.workflow.failure) lines.push(`  failure      ${s.workflow.failure}`);
  } else {
    lines.push('  workflow     none in Temporal (retention over, or never started)');
  }
  if (s.state) {
    if (s.state.retrying) {
      const r = s.state.retrying;
      lines.push(
        `  RETRYING     step ${r.step} through an outage since ${r.since} (round ${r.rounds}): ${r.error}`,
        `               next try ${r.nextTryAt}; goes on by itself until ${r.until}, then NeedsAttention — nothing to do but fix the outage`,
      );
    }
    if (s.state.attention) {
      lines.push(
        `  ATTENTION    step ${s.state.attention.step} failed${s.state.attention.attempts ? ` after ${s.state.attention.attempts} attempt(s)` : ''}: ${s.state.attention.error}`,
      );
      const { step, skippable } = s.state.attention;
      lines.push(
        `               fix the cause, then: npm run ops -- retry ${s.eventId} --step ${step} --reason "…"   (or ${skippable ? 'skip / ' : ''}cancel)`,
      );
    }
    for (const step of s.state.steps) {
      lines.push(
        `  step         ${step.name.padEnd(24)} ${step.status}${step.tries > 1 ? ` (${step.tries} tries)` : ''}${step.lastError && step.status !== 'completed' ? ` — ${step.lastError}` : ''}`,
      );
    }
  }
  if (s.ledger)
    lines.push(
      `  ledger       ${s.ledger.status} · ${s.ledger.deliveries} deliveries${s.ledger.lastError ? ` · ${s.ledger.lastError}` : ''}`,
    );
  if (s.user)
    lines.push(
      `  user         ${s.user.id} · ${s.user.email} · ${s.user.source}${s.user.createdByEventId === s.eventId ? ' · created by this event' : ''}`,
    );
  if (s.subscription) {
    const sub = s.subscription;
    lines.push(
      `  subscription ${sub.stripeSubscriptionId} · ${sub.status} · ${sub.tierId ?? '?'} ×${sub.quantity} · ${sub.seatLimit} seats · access ${sub.hasAccess ? 'granted' : 'revoked'}`,
    );
    lines.push(`  entitlements ${sub.entitlements.join(', ') || '(none)'}`);
  }
  if (s.purchase) lines.push(...purchaseLines(s.purchase));
  for (const e of s.emails) lines.push(`  email        ${e.kind} · ${e.status} · ${e.postmarkMessageId ?? '-'} · by ${e.eventId}`);
  for (const a of s.audit)
    lines.push(`  audit        ${a.at} ${a.action} ${a.step} by ${a.by}: ${a.reason}${a.applied ? '' : ` (refused: ${a.note})`}`);
  return lines.join('\n');
}

interface ShowJson {
  eventId: string;
  workflow: { type: string; execution: string; status: string; started: string; closed: string | null; failure: string | null } | null;
  state: FulfillmentState | null;
  ledger: { status: string; deliveries: number; lastError: string | null; firstReceivedAt: string } | null;
  user: { id: string; email: string | null; source: string; createdByEventId: string | null } | null;
  subscription: {
    stripeSubscriptionId: string;
    status: string;
    tierId: string | null;
    plan: string | null;
    quantity: number;
    seatLimit: number;
    hasAccess: boolean;
    cancelAtPeriodEnd: boolean;
    currentPeriodEnd: string | null;
    entitlements: string[];
  } | null;
  purchase: PurchaseJson | null;
  emails: Array<{ kind: string; status: string; postmarkMessageId: string | null; eventId: string; sentAt: string | null }>;
  audit: Array<{ action: string; step: string; by: string; reason: string; applied: boolean; note: string | null; at: string }>;
}
