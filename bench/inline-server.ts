/**
 * The baselines the service is measured against, as a process of their own:
 *
 *   INLINE_MODE=inline  the handler most teams write: verify the signature, record the event
 *                       id, find or create the user, upsert the subscription, grant the tier's
 *                       entitlements, send the welcome email through Postmark, then answer 200.
 *                       Fastify + pg, the same database tables and the same Postmark stand-in.
 *   INLINE_MODE=verify  verify the signature and answer 200: the ceiling of any webhook here.
 *
 * Started by bench/fulfillment-cost.ts with DATABASE_URL, POSTMARK_API_URL, STRIPE_WEBHOOK_SECRET, PORT.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import type Stripe from 'stripe';
import { Catalog } from '../src/catalog/catalog';
import { createPostmarkClient } from '../src/clients/postmark';
import { verifyStripeEvent } from '../src/http/verify-signature';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main(): Promise<void> {
  const mode = env('INLINE_MODE');
  const secrets = [env('STRIPE_WEBHOOK_SECRET')];
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  if (mode === 'verify') {
    app.post('/webhooks/stripe', async (request) => {
      const event = verifyStripeEvent(request.body as Buffer, request.headers['stripe-signature'], secrets);
      return { received: true, id: event.id };
    });
  } else {
    const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 10 });
    const postmark = createPostmarkClient('local-postmark-token', env('POSTMARK_API_URL'));
    const catalog = Catalog.fromFile('config/catalog.json');
    app.post('/webhooks/stripe', async (request) => {
      const event = verifyStripeEvent(request.body as Buffer, request.headers['stripe-signature'], secrets);
      return fulfil(pool, postmark, catalog, event);
    });
  }
  await app.listen({ port: Number(env('PORT')), host: '127.0.0.1' });
  console.log('inline ready');
}

type Session = Stripe.Checkout.Session;

async function fulfil(pool: Pool, postmark: ReturnType<typeof createPostmarkClient>, catalog: Catalog, event: Stripe.Event) {
  const session = event.data.object as Session;
  const fresh = await pool.query(
    `INSERT INTO stripe_events (id, type, status, livemode) VALUES ($1, $2, 'received', $3) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [event.id, event.type, event.livemode],
  );
  if (fresh.rowCount === 0) return { received: true, duplicate: true };
  const metadata = session.metadata ?? {};
  const tier = catalog.tier(metadata.sumo_product_tier_id ?? '');
  if (!tier) throw new Error('unknown tier');
  const quantity = Number(metadata.sumo_quantity ?? 1);
  const email = session.customer_details!.email!.trim().toLowerCase();
  const user = await pool.query<{ id: string; created_by_event_id: string }>(
    `INSERT INTO users (id, email, name, source, stripe_customer_id, sumo_user_id, created_by_event_id, updated_at)
     VALUES (gen_random_uuid(), $1, $2, 'sumo', $3, $4, $5, now())
     ON CONFLICT (email) DO UPDATE SET name = COALESCE(users.name, EXCLUDED.name)
     RETURNING id, created_by_event_id`,
    [email, session.customer_details?.name ?? null, session.customer, metadata.sumo_user_id ?? null, event.id],
  );
  const userId = user.rows[0].id;
  const subscription = await pool.query<{ id: string }>(
    `INSERT INTO subscriptions (id, stripe_subscription_id, user_id, checkout_session_id, stripe_customer_id, tier_id, plan,
                                quantity, seat_limit, addons, status, has_access, source, sumo_campaign_id, linked_by_event_id, updated_at)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, '{}', 'active', true, 'sumo', $9, $10, now())
     ON CONFLICT (stripe_subscription_id) DO UPDATE SET status = 'active' RETURNING id`,
    [
      session.subscription,
      userId,
      session.id,
      session.customer,
      tier.id,
      tier.plan,
      quantity,
      tier.seats * quantity,
      metadata.sumo_campaign_id,
      event.id,
    ],
  );
  const subscriptionId = subscription.rows[0].id;
  await pool.query(
    `INSERT INTO entitlements (id, user_id, subscription_id, feature, granted_by_event_id)
     SELECT gen_random_uuid(), $1, $2, feature, $3 FROM unnest($4::text[]) AS feature
     ON CONFLICT (subscription_id, feature) DO NOTHING`,
    [userId, subscriptionId, event.id, tier.features],
  );
  if (user.rows[0].created_by_event_id === event.id) {
    const claim = await pool.query<{ id: string }>(
      `INSERT INTO email_deliveries (id, dedup_key, user_id, kind, status, event_id) VALUES (gen_random_uuid(), $1, $2, 'welcome', 'sending', $3)
       ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
      [`welcome:${userId}`, userId, event.id],
    );
    if (claim.rowCount === 1) {
      const sent = await postmark.sendEmailWithTemplate({
        From: 'hello@saas.example',
        To: email,
        TemplateAlias: 'welcome',
        TemplateModel: { name: session.customer_details?.name ?? '', email },
      });
      await pool.query(`UPDATE email_deliveries SET status = 'sent', postmark_message_id = $1, sent_at = now() WHERE id = $2`, [
        sent.MessageID,
        claim.rows[0].id,
      ]);
    }
  }
  await pool.query(`UPDATE stripe_events SET status = 'completed', completed_at = now() WHERE id = $1`, [event.id]);
  return { received: true, duplicate: false };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
