-- AlterTable
ALTER TABLE "entitlements" ADD COLUMN     "purchase_id" TEXT,
ALTER COLUMN "subscription_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "purchases" (
    "id" TEXT NOT NULL,
    "payment_intent_id" TEXT,
    "checkout_session_id" TEXT,
    "user_id" TEXT,
    "stripe_account" TEXT,
    "stripe_customer_id" TEXT,
    "source" "purchase_source",
    "sumo_campaign_id" TEXT,
    "tier_id" TEXT,
    "plan" TEXT,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "addons" TEXT[],
    "amount" INTEGER,
    "currency" TEXT,
    "amount_refunded" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL,
    "active_quantity" INTEGER NOT NULL DEFAULT 0,
    "seat_limit" INTEGER NOT NULL DEFAULT 0,
    "has_access" BOOLEAN NOT NULL DEFAULT false,
    "access_changed_at" TIMESTAMP(3),
    "events" JSONB NOT NULL DEFAULT '{}',
    "linked_by_event_id" TEXT,
    "last_event_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "purchases_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "purchases_payment_intent_id_key" ON "purchases"("payment_intent_id");

-- CreateIndex
CREATE UNIQUE INDEX "purchases_checkout_session_id_key" ON "purchases"("checkout_session_id");

-- CreateIndex
CREATE INDEX "purchases_user_id_idx" ON "purchases"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "entitlements_purchase_id_feature_key" ON "entitlements"("purchase_id", "feature");

-- AddForeignKey
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_purchase_id_fkey" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchases" ADD CONSTRAINT "purchases_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
