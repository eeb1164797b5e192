ALTER TABLE "connections" ADD COLUMN "consented_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "renew_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "renew_warned_at" timestamp with time zone;--> statement-breakpoint
-- Backfill: the consent that started the current family is the last reconnect, else the first connect
-- (else the row's creation). Jira and Confluence families end 365 days after it; Bitbucket documents no end.
UPDATE "connections" c SET "consented_at" = coalesce(
  (SELECT max(e."created_at") FROM "connection_events" e WHERE e."connection_id" = c."id" AND e."type" = 'reconnected'),
  (SELECT min(e."created_at") FROM "connection_events" e WHERE e."connection_id" = c."id" AND e."type" = 'connected'),
  c."created_at"
);--> statement-breakpoint
UPDATE "connections" SET "renew_by" = "consented_at" + interval '365 days' WHERE "product" IN ('jira', 'confluence');--> statement-breakpoint
CREATE INDEX "connections_renew_by_idx" ON "connections" USING btree (coalesce("renew_by", 'infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_renew_due_idx" ON "connections" USING btree ("renew_by") WHERE renew_warned_at is null and status in ('active', 'degraded');
