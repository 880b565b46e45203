"""Pieces every source shares: the HTTP client, pagination, and the raw landing store."""
