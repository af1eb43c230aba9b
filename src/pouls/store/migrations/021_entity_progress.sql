-- Names found after storage (pouls.enrich.later): spaCy's NER reads stored signals in `seq`
-- order on a background worker, off the ingest path; this is how far it read in each workspace.
CREATE TABLE entity_progress (
    workspace TEXT PRIMARY KEY,
    seq INTEGER NOT NULL                -- the last signal read (found names or not)
) WITHOUT ROWID;
