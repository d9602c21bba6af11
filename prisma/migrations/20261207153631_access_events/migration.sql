-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "access_state" TEXT,
ADD COLUMN     "grace_until" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "access_events" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "access" JSONB NOT NULL,
    "cause_event_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMP(3),

    CONSTRAINT "access_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "access_events_seq_key" ON "access_events"("seq");

-- CreateIndex
CREATE INDEX "access_events_user_id_seq_idx" ON "access_events"("user_id", "seq");

-- CreateIndex
CREATE INDEX "access_events_status_created_at_idx" ON "access_events"("status", "created_at");

-- AddForeignKey
ALTER TABLE "access_events" ADD CONSTRAINT "access_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Backfill: what the access sync would have written for every linked subscription. A grace period
-- is assumed to be PAST_DUE_GRACE_PERIOD's default (7 days); the subscription's next sync corrects it.
UPDATE "subscriptions" SET "access_state" = CASE
    WHEN "has_access" AND "status" = 'past_due' THEN 'grace'
    WHEN "has_access" THEN 'active'
    WHEN "status" = 'paused' THEN 'suspended'
    ELSE 'revoked' END
  WHERE "user_id" IS NOT NULL;
UPDATE "subscriptions" SET "grace_until" = "past_due_since" + interval '7 days'
  WHERE "access_state" = 'grace' AND "past_due_since" IS NOT NULL;
