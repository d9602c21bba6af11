-- CreateTable
CREATE TABLE "operator_actions" (
    "id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "by_operator" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "applied" BOOLEAN NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operator_actions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "operator_actions_event_id_idx" ON "operator_actions"("event_id");
