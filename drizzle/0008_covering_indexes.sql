-- Covering indexes for the admin dashboard at a million connections: a walk that tests each row (a broad
-- search along the page's order) and the search's probe (a user's connections with their statuses) read the
-- index alone, never the scattered table rows. Drizzle's schema has no word for INCLUDE: lib/db/schema.ts
-- declares their keys, these statements add the included columns.
-- Rebuilt in the migration's transaction: writes to connections wait while they build (seconds per million).
DROP INDEX IF EXISTS "connections_updated_idx";--> statement-breakpoint
CREATE INDEX "connections_updated_idx" ON "connections" USING btree ("updated_at","id")
  INCLUDE ("status","product","user_id","account_email","account_name");--> statement-breakpoint
DROP INDEX IF EXISTS "connections_user_idx";--> statement-breakpoint
CREATE INDEX "connections_user_idx" ON "connections" USING btree ("user_id","created_at") INCLUDE ("id","status");
