"""Dagster definitions and the `streamgauge` command line: wiring, not logic."""
