-- Enrichment facets as columns, so series and filters need not parse the JSON document.
ALTER TABLE signals ADD COLUMN toxic REAL;          -- highest toxicity attribute score, 0..1
ALTER TABLE signals ADD COLUMN scam REAL;           -- scam/spam score, 0..1
ALTER TABLE signals ADD COLUMN reach INTEGER;       -- audience: author followers, else likes + shares
ALTER TABLE signals ADD COLUMN dup_cluster TEXT;    -- near-duplicate cluster id
CREATE INDEX signals_dup ON signals (workspace, dup_cluster) WHERE dup_cluster IS NOT NULL;
