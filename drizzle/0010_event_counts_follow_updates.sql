-- connection_event_counts (migrations 0005, 0006) follows updates of connection_events too, not only inserts and
-- deletes: the sandbox's "Advance N days" moves a timeline's times N days back (docs/architecture.md, Clocks), and
-- an event then counts on its new day. Same shape as the other counters: the statement's net change per key,
-- only keys whose count changes, in key order.
CREATE FUNCTION connection_event_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_event_counts AS c (day, type, code, count)
  SELECT day, type, code, sum(d)::int FROM (
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day, type, coalesce(code, '') AS code, 1 AS d FROM new_rows
    UNION ALL
    SELECT (created_at AT TIME ZONE 'UTC')::date, type, coalesce(code, ''), -1 FROM old_rows
  ) delta
  GROUP BY day, type, code HAVING sum(d) <> 0 ORDER BY type, day, code
  ON CONFLICT (type, day, code) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER connection_events_counts_update AFTER UPDATE ON connection_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION connection_event_counts_update();
