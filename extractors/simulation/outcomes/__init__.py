"""The organisation's outcome side: feature flags, product usage, NPS responses, declared values, and
the ground truth of the outcome marts."""
