-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "plan_facts" JSONB NOT NULL DEFAULT '{}';
