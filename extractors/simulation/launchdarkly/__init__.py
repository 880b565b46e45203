"""The simulated LaunchDarkly REST API v2: feature flags and the audit log of their changes."""
