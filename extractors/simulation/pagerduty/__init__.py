"""The simulated PagerDuty: the REST v2 API over the organisation's incidents."""
