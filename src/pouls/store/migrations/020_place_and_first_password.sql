-- The `place` filter (a map point opening the wall on its place) reads the place from the
-- signal's JSON: this index over that very expression (pouls.store.search.PLACE, written the
-- same way so that SQLite matches it) lets a place be found without reading the workspace.
-- Partial: most signals have no place and take no room in it.
CREATE INDEX signals_place ON signals (
    workspace, json_extract(CAST(doc AS TEXT), '$.geo.place'), created_at DESC, seq DESC
) WHERE json_extract(CAST(doc AS TEXT), '$.geo.place') IS NOT NULL;

-- An account made by an admin on the members page signs in first with a password that admin
-- saw: it must choose its own before anything else (pouls.web.auth). 1 until it does.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
