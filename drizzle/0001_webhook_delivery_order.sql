ALTER TABLE "webhook_deliveries" ADD COLUMN "connection_id" uuid;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "message_created_at" timestamp with time zone;--> statement-breakpoint
UPDATE "webhook_deliveries" d SET "connection_id" = m."connection_id", "message_created_at" = m."created_at" FROM "webhook_messages" m WHERE m."id" = d."message_id";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ALTER COLUMN "message_created_at" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_order_idx" ON "webhook_deliveries" USING btree ("endpoint_id","connection_id","message_created_at","id") WHERE status = 'pending';
