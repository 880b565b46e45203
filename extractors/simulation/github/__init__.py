"""The simulated GitHub: the REST v3 API over the organisation's delivery model."""
