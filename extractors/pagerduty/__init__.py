"""PagerDuty: incidents and their log entries."""
