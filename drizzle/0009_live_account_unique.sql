-- One live connection per person, product and provider account. Before this index, two first connects of one
-- account at the same moment could both insert: twins. Each set of twins keeps its oldest connection (the one a
-- later connect of that account reconnected); the others are disconnected as the Disconnect button does it
-- (tokens deleted, history kept), with a "Disconnected" event on their timeline.
WITH ranked AS (
  SELECT "id", row_number() OVER (PARTITION BY "user_id", "product", "account_id" ORDER BY "created_at", "id") AS n
  FROM "connections"
  WHERE "status" <> 'disconnected' AND "account_id" IS NOT NULL
), twins AS (
  UPDATE "connections" c
  SET "status" = 'disconnected', "reason" = NULL, "access_token_enc" = NULL, "refresh_token_enc" = NULL,
      "next_refresh_at" = NULL, "disconnected_at" = now(), "updated_at" = now()
  FROM ranked r
  WHERE r."id" = c."id" AND r.n > 1
  RETURNING c."id"
)
INSERT INTO "connection_events" ("connection_id", "type", "message", "data")
SELECT "id", 'disconnected', 'A second live connection of the same account: disconnected on upgrade, the first one stays.', '{"by":"upgrade"}'::jsonb
FROM twins;--> statement-breakpoint
CREATE UNIQUE INDEX "connections_live_account_idx" ON "connections" USING btree ("user_id","product","account_id") WHERE status <> 'disconnected';
