"""Jira Cloud: issues and their full change histories, incrementally, plus export files."""
