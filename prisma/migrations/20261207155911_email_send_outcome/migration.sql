-- AlterTable
ALTER TABLE "email_deliveries" ADD COLUMN     "outcome_lost_at" TIMESTAMPTZ(3),
ADD COLUMN     "send_started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
