-- Keeps connection_status_counts and connection_event_counts (migration 0005) equal to counting the tables:
-- statement-level triggers add each statement's net change per key, in the statement's own transaction.
-- Only keys whose count changes are written (a refresh that leaves a connection active writes nothing here),
-- in key order, so that concurrent transactions lock the counter rows in the same order.
CREATE FUNCTION connection_status_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_status_counts AS c (status, reason, count)
  SELECT status, reason, sum(d)::int FROM (
    SELECT status, coalesce(reason, '') AS reason, 1 AS d FROM new_rows
    UNION ALL
    SELECT status, coalesce(reason, ''), -1 FROM old_rows
  ) delta
  GROUP BY status, reason HAVING sum(d) <> 0 ORDER BY status, reason
  ON CONFLICT (status, reason) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION connection_status_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_status_counts AS c (status, reason, count)
  SELECT status, coalesce(reason, ''), count(*)::int FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (status, reason) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION connection_status_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_status_counts AS c (status, reason, count)
  SELECT status, coalesce(reason, ''), -count(*)::int FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (status, reason) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION connection_status_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM connection_status_counts;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER connections_counts_insert AFTER INSERT ON connections
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_insert();
--> statement-breakpoint
CREATE TRIGGER connections_counts_update AFTER UPDATE ON connections
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_add();
--> statement-breakpoint
CREATE TRIGGER connections_counts_delete AFTER DELETE ON connections
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_delete();
--> statement-breakpoint
CREATE TRIGGER connections_counts_truncate AFTER TRUNCATE ON connections
  FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_truncate();
--> statement-breakpoint
CREATE FUNCTION connection_event_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_event_counts AS c (day, type, code, count)
  SELECT (created_at AT TIME ZONE 'UTC')::date, type, coalesce(code, ''), count(*)::int FROM new_rows
  GROUP BY 1, 2, 3 ORDER BY 2, 1, 3
  ON CONFLICT (type, day, code) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION connection_event_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_event_counts AS c (day, type, code, count)
  SELECT (created_at AT TIME ZONE 'UTC')::date, type, coalesce(code, ''), -count(*)::int FROM old_rows
  GROUP BY 1, 2, 3 ORDER BY 2, 1, 3
  ON CONFLICT (type, day, code) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION connection_event_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM connection_event_counts;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER connection_events_counts_insert AFTER INSERT ON connection_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION connection_event_counts_insert();
--> statement-breakpoint
CREATE TRIGGER connection_events_counts_delete AFTER DELETE ON connection_events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION connection_event_counts_delete();
--> statement-breakpoint
CREATE TRIGGER connection_events_counts_truncate AFTER TRUNCATE ON connection_events
  FOR EACH STATEMENT EXECUTE FUNCTION connection_event_counts_truncate();
--> statement-breakpoint
-- Backfill: the rows already there (the triggers exist from here on, in this same migration transaction).
INSERT INTO connection_status_counts (status, reason, count)
SELECT status, coalesce(reason, ''), count(*)::int FROM connections GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO connection_event_counts (day, type, code, count)
SELECT (created_at AT TIME ZONE 'UTC')::date, type, coalesce(code, ''), count(*)::int FROM connection_events GROUP BY 1, 2, 3;
