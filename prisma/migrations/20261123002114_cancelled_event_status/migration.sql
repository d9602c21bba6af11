-- AlterEnum
ALTER TYPE "stripe_event_status" ADD VALUE 'cancelled';
