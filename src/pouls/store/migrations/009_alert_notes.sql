-- Why an alert changed, when the change is not the detector's: an alert closed at start because
-- its rule was removed, or because a newer alert of the same rule follows the episode.
ALTER TABLE alert_updates ADD COLUMN note TEXT;
