"""Product-analytics and survey files: daily feature usage, NPS responses, declared values and the
hand-built ``feature_usage.csv``."""
