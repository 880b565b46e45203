"""LaunchDarkly: feature flags and the audit log of their changes."""
