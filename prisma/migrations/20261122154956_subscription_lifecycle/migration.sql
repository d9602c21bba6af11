-- DropForeignKey
ALTER TABLE "email_deliveries" DROP CONSTRAINT "email_deliveries_user_id_fkey";

-- DropForeignKey
ALTER TABLE "subscriptions" DROP CONSTRAINT "subscriptions_user_id_fkey";

-- DropIndex
DROP INDEX "email_deliveries_user_id_kind_key";

-- AlterTable
ALTER TABLE "email_deliveries" ADD COLUMN     "dedup_key" TEXT,
ALTER COLUMN "user_id" DROP NOT NULL;

-- Existing rows are welcome emails, one per user (the old unique key).
UPDATE "email_deliveries" SET "dedup_key" = "kind" || ':' || "user_id";
ALTER TABLE "email_deliveries" ALTER COLUMN "dedup_key" SET NOT NULL;

-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "access_changed_at" TIMESTAMP(3),
ADD COLUMN     "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "current_period_end" TIMESTAMP(3),
ADD COLUMN     "has_access" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "last_event_id" TEXT,
ADD COLUMN     "past_due_since" TIMESTAMP(3),
ADD COLUMN     "status_history" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "stripe_customer_id" TEXT,
ADD COLUMN     "stripe_price_id" TEXT,
ADD COLUMN     "versions" JSONB NOT NULL DEFAULT '{}',
ALTER COLUMN "user_id" DROP NOT NULL,
ALTER COLUMN "checkout_session_id" DROP NOT NULL,
ALTER COLUMN "tier_id" DROP NOT NULL,
ALTER COLUMN "plan" DROP NOT NULL,
ALTER COLUMN "quantity" SET DEFAULT 1,
ALTER COLUMN "seat_limit" SET DEFAULT 0,
ALTER COLUMN "source" DROP NOT NULL,
ALTER COLUMN "linked_by_event_id" DROP NOT NULL;

-- Existing rows were fulfilled checkouts: their status was asserted when they were linked,
-- and their entitlements were granted then.
UPDATE "subscriptions" SET
  "has_access" = true,
  "access_changed_at" = "created_at",
  "status_history" = jsonb_build_array(jsonb_build_object(
    'v', lpad(floor(extract(epoch FROM "created_at"))::bigint::text, 12, '0') || '.1.' || "linked_by_event_id",
    'status', "status",
    'at', floor(extract(epoch FROM "created_at"))::bigint));

-- CreateIndex
CREATE UNIQUE INDEX "email_deliveries_dedup_key_key" ON "email_deliveries"("dedup_key");

-- CreateIndex
CREATE INDEX "email_deliveries_user_id_idx" ON "email_deliveries"("user_id");

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_deliveries" ADD CONSTRAINT "email_deliveries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
