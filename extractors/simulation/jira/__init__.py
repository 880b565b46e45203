"""The organisation's Jira Cloud site: generated timeline, ground truth and REST API."""
