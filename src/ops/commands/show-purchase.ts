import type { WorkflowStart } from '../../contracts';
import { purchaseStateOf } from '../../lifecycle/purchase-state';
import type { OpsContext } from '../context';

/** The one-time purchase a lifetime checkout recorded, or that a refund or dispute names (for `show`). */
export async function findPurchase(ctx: OpsContext, start: WorkflowStart | null) {
  const include = { entitlements: { orderBy: { feature: 'asc' as const } }, user: true };
  if (start?.workflowType === 'syncPurchase') {
    return ctx.db.purchase.findUnique({ where: { paymentIntentId: start.input.paymentIntentId }, include });
  }
  if (start?.workflowType === 'fulfillCheckout' && start.input.mode === 'payment') {
    return ctx.db.purchase.findUnique({ where: { checkoutSessionId: start.input.checkoutSessionId }, include });
  }
  return null;
}

type PurchaseRow = NonNullable<Awaited<ReturnType<typeof findPurchase>>>;

export interface PurchaseJson {
  paymentIntentId: string | null;
  checkoutSessionId: string | null;
  status: string;
  tierId: string | null;
  plan: string | null;
  quantity: number;
  activeQuantity: number;
  amount: number | null;
  amountRefunded: number;
  currency: string | null;
  seatLimit: number;
  hasAccess: boolean;
  disputes: Array<{ id: string; status: string }>;
  entitlements: string[];
}

export function purchaseJson(purchase: PurchaseRow): PurchaseJson {
  return {
    paymentIntentId: purchase.paymentIntentId,
    checkoutSessionId: purchase.checkoutSessionId,
    status: purchase.status,
    tierId: purchase.tierId,
    plan: purchase.plan,
    quantity: purchase.quantity,
    activeQuantity: purchase.activeQuantity,
    amount: purchase.amount,
    amountRefunded: purchase.amountRefunded,
    currency: purchase.currency,
    seatLimit: purchase.seatLimit,
    hasAccess: purchase.hasAccess,
    disputes: Object.entries(purchaseStateOf(purchase.events).disputes).map(([id, d]) => ({ id, status: d.status })),
    entitlements: purchase.entitlements.map((e) => e.feature),
  };
}

export function purchaseLines(p: PurchaseJson): string[] {
  const money =
    p.amount === null ? '' : ` · paid ${p.amount}${p.amountRefunded ? `, refunded ${p.amountRefunded}` : ''} ${p.currency ?? ''}`.trimEnd();
  const disputes = p.disputes.map((d) => `${d.id} ${d.status}`).join(', ');
  return [
    `  purchase     lifetime ${p.paymentIntentId ?? p.checkoutSessionId} · ${p.status} · ${p.tierId ?? '?'} ${p.activeQuantity}/${p.quantity} codes · ${p.seatLimit} seats · access ${p.hasAccess ? 'granted' : 'revoked'}${money}`,
    ...(disputes ? [`  disputes     ${disputes}`] : []),
    `  entitlements ${p.entitlements.join(', ') || '(none)'}`,
  ];
}
