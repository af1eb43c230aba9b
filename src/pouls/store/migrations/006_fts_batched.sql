-- The FTS index of new signals is filled by `put` in one statement per batch, not by a
-- per-row trigger: the trigger was two thirds of the import time.
DROP TRIGGER signals_fts_insert;
