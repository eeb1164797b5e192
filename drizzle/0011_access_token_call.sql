-- The access-token call's read (lib/api/access-token.ts): whether the API key is active, the connection's row
-- and its sites, in one statement. A function, so that its plan is cached by the server connection: behind a
-- transaction pooler no statement may be prepared by name, and planning the whole join on every call cost
-- more than running it. Its sites JSON is the shape of SiteView (lib/connections/queries.ts sitesJson);
-- tests/integration/pooler-api.test.ts checks that both answer alike.
CREATE OR REPLACE FUNCTION "access_token_call"(p_id uuid, p_hash text)
RETURNS TABLE ("key_id" uuid, "key_name" text, "key_last_used_at" timestamptz, "conn" "connections", "sites" json)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT k."id", k."name", k."last_used_at", c,
      coalesce((SELECT json_agg(json_build_object('cloud_id', s."cloud_id", 'name', s."name", 'url', s."url") ORDER BY s."name")
                FROM "connection_sites" s WHERE s."connection_id" = c."id"), '[]')
    FROM "api_keys" k LEFT JOIN "connections" c ON c."id" = p_id
    WHERE k."key_hash" = p_hash AND k."revoked_at" IS NULL;
END $$;
