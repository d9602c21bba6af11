-- AlterTable
ALTER TABLE "stripe_events" ADD COLUMN     "checkout_session_id" TEXT;

-- CreateIndex
CREATE INDEX "stripe_events_checkout_session_id_idx" ON "stripe_events"("checkout_session_id");
