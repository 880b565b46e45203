"""Extractors: talking to each source's real API (or its export files) and landing raw payloads."""
