"""Watchers: topics' series, detectors, alert rules and automations; decides *when* to act."""
